// Runs `node <args>` with MHSM_TEST_PKCS11_ROOT set to a throwaway folder: every test server then
// runs --hsm-backend pkcs11 on a SoftHSM2 token of its own (test/harness/server-process.ts),
// made there with softhsm2-util and its own SOFTHSM2_CONF. The folder goes afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

try {
  createRequire(import.meta.url)("pkcs11js");
} catch (error) {
  console.error(
    `the pkcs11 pass needs the pkcs11js binding (an optional dependency that did not build: ${(error as Error).message.split("\n")[0]}); install build-essential and run npm rebuild pkcs11js`,
  );
  process.exit(1);
}
const root = mkdtempSync(join(tmpdir(), "mhsm-pkcs11-pass-"));
let status = 1;
try {
  const result = spawnSync(process.execPath, process.argv.slice(2), {
    stdio: "inherit",
    env: { ...process.env, MHSM_TEST_PKCS11_ROOT: root },
  });
  status = result.status ?? 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(status);
