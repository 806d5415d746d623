import { readFile } from "node:fs/promises";
import { useKeyFileProtector } from "../platform/barrier/key-file.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { Pkcs11StartError } from "../platform/pkcs11/pkcs11-binding.js";
import { Pkcs11Token } from "../platform/pkcs11/pkcs11-token.js";
import { TokenRootOfTrust } from "../platform/pkcs11/root-of-trust.js";
import type { Shutdown } from "./shutdown.js";

/** The backend --hsm-backend chose: with pkcs11, the token that holds the root of trust and the keys. */
export interface HsmBackend {
  kind: ServerConfig["hsmBackend"];
  token: Pkcs11Token | undefined;
}

/**
 * Opens the PKCS#11 token (module, token, PIN: each failure stops the start naming which) and
 * makes its root-of-trust key the protector of the key files, before any is read. The software
 * backend opens nothing: today's behaviour, unchanged.
 */
export async function openHsmBackend(config: ServerConfig, shutdown: Shutdown): Promise<HsmBackend> {
  useKeyFileProtector(undefined);
  if (config.hsmBackend !== "pkcs11") return { kind: "software", token: undefined };
  const { module, tokenLabel, slot } = config.pkcs11;
  const token = shutdown.add(
    Pkcs11Token.open({
      module: module as string,
      tokenLabel,
      slot,
      pin: await pkcs11Pin(config),
    }),
    (opened) => opened.close(),
  );
  useKeyFileProtector(await TokenRootOfTrust.open(token));
  shutdown.add(undefined, () => useKeyFileProtector(undefined));
  return { kind: "pkcs11", token };
}

/** MHSM_PKCS11_PIN, or the first line of --pkcs11-pin-file (never a flag: it would show in ps). */
async function pkcs11Pin(config: ServerConfig): Promise<string> {
  if (config.pkcs11.pin !== undefined) return config.pkcs11.pin;
  const file = config.pkcs11.pinFile as string;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Pkcs11StartError(
      `cannot read the PKCS#11 PIN file ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`,
    );
  }
  const pin = text.split(/\r?\n/)[0] ?? "";
  if (pin === "") throw new Pkcs11StartError(`the PKCS#11 PIN file ${file} is empty`);
  return pin;
}
