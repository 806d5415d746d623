import { createRequire } from "node:module";

/**
 * The PKCS#11 binding (pkcs11js, PeculiarVentures), loaded only when --hsm-backend pkcs11 asks
 * for it. It is a native module and an optional dependency of the server: a machine without a
 * C++ toolchain still installs and runs the software backend, and only a pkcs11 start needs it.
 */
export type Pkcs11Binding = typeof import("./pkcs11js-types.js");

/** Not a Key Vault answer: the PKCS#11 backend cannot start; the message says why. */
export class Pkcs11StartError extends Error {}

let loaded: Pkcs11Binding | undefined;

export function loadPkcs11Binding(): Pkcs11Binding {
  if (loaded) return loaded;
  try {
    // createRequire: pkcs11js is CommonJS with a native addon; a static import would load it
    // (and fail without it) on every start, software backend included.
    loaded = createRequire(import.meta.url)("pkcs11js") as Pkcs11Binding;
    return loaded;
  } catch (error) {
    throw new Pkcs11StartError(
      `--hsm-backend pkcs11 needs the optional native module pkcs11js, which is not installed or did not build (${(error as Error).message.split("\n")[0]}). Install a C++ toolchain (Debian: build-essential, python3) and run: npm install pkcs11js -w packages/server`,
    );
  }
}
