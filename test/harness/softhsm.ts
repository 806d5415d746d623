import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's SoftHSM2 module (package softhsm2). */
export const SOFTHSM_MODULE = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
].find((path) => existsSync(path)) as string;

export interface SoftHsmToken {
  module: string;
  label: string;
  /** The user PIN (a test value; a real deployment's PIN comes from a file or MHSM_PKCS11_PIN). */
  pin: string;
  soPin: string;
  /** SOFTHSM2_CONF pointing at this token's own folder: give it to every process that opens it. */
  env: Record<string, string>;
  /** The folder the token's objects live in (one sub-folder per token). */
  tokenDir: string;
  /** Runs pkcs11-tool (package opensc) against this token, logged in; stdout, or throws with stderr. */
  tool(args: string[], options?: { login?: boolean }): string;
  remove(): void;
}

/**
 * A throwaway SoftHSM2 token in a temporary folder with its own SOFTHSM2_CONF, so no test sees
 * another's token or the machine's. `softhsm2-util --init-token` makes it, as an operator would.
 */
export function createSoftHsmToken(label = "mhsm-test"): SoftHsmToken {
  return softHsmTokenIn(mkdtempSync(join(tmpdir(), "mhsm-softhsm-")), label);
}

/**
 * The token in `dir`, initialized on first use: the pkcs11 test pass gives each data directory
 * its own, so a server restarted on its data directory finds its token again.
 */
export function softHsmTokenIn(dir: string, label = "mhsm-test"): SoftHsmToken {
  if (!SOFTHSM_MODULE) throw new Error("SoftHSM2 is not installed (apt-get install softhsm2)");
  const tokenDir = join(dir, "tokens");
  const conf = join(dir, "softhsm2.conf");
  const env = { SOFTHSM2_CONF: conf };
  const pin = "1234-test-pin";
  const soPin = "5678-test-so-pin";
  const tool = (args: string[], options: { login?: boolean } = {}) => {
    const login = options.login === false ? [] : ["--login", "--pin", pin];
    const result = spawnSync(
      "pkcs11-tool",
      ["--module", SOFTHSM_MODULE, "--token-label", label, ...login, ...args],
      { encoding: "utf8", env: { ...process.env, ...env } },
    );
    if (result.status !== 0) throw new Error(`pkcs11-tool ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  };
  const token = {
    module: SOFTHSM_MODULE,
    label,
    pin,
    soPin,
    env,
    tokenDir,
    tool,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (existsSync(conf)) return token;
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const init = spawnSync(
    "softhsm2-util",
    ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin],
    { encoding: "utf8", env: { ...process.env, ...env } },
  );
  if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}${init.stdout}`);
  return token;
}

/** `mhsm serve` options that put a server on this token (the PIN through the environment). */
export function pkcs11ServeOptions(token: SoftHsmToken): { args: string[]; env: Record<string, string> } {
  return {
    args: ["--hsm-backend", "pkcs11", "--pkcs11-module", token.module, "--pkcs11-token-label", token.label],
    env: { ...token.env, MHSM_PKCS11_PIN: token.pin },
  };
}

/** pkcs11-tool's listing of the token's objects, one block per object (`-O`). */
export function listTokenObjects(
  token: SoftHsmToken,
): Array<{ header: string; label: string; text: string }> {
  const text = token.tool(["--list-objects"]);
  return text
    .split(/\n(?=\S)/)
    .filter((block) => /Object;/.test(block))
    .map((block) => ({
      header: block.split("\n")[0] as string,
      label: /label:\s+(.*)/.exec(block)?.[1]?.trim() ?? "",
      text: block,
    }));
}
