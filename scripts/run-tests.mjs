// Runs every test file with node's built-in runner (Node 20 has no glob for --test), twice:
//   1. everything, servers on the embedded SQLite store;
//   2. the end-to-end tests (test/) again, every server on a real PostgreSQL cluster
//      (scripts/run-tests-on-postgres.ts starts a throwaway one), so both backends are held to
//      the same behaviour. Multi-node tests run once, in pass 1 (they start PostgreSQL themselves),
//      and so do the newcomer tests (test/newcomer: installing and packing, not the store).
// Arguments filter test files by substring; --sqlite-only / --postgres-only pick a pass.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const passes = args.includes("--postgres-only")
  ? ["postgres"]
  : args.includes("--sqlite-only")
    ? ["sqlite"]
    : ["sqlite", "postgres"];
const filter = args.filter((arg) => !arg.startsWith("--"));
// 3. the keys, crypto, backup and security-domain suites again with every server on the pkcs11
//    backend, a SoftHSM2 token each (scripts/run-tests-on-pkcs11.ts); --pkcs11-only picks it.
// (Suites that use RSA-OAEP-256 or HS* stay out: SoftHSM2 2.6 does OAEP with SHA-1 only and its
// keys are AES keys, so there those algorithms answer "not supported by this token", as they should.)
const PKCS11_PASS = [
  "test/keys/js-sdk-key-lifecycle",
  "test/keys/key-material-at-rest",
  "test/backup/keys-backup-restore",
  "test/security-domain/domain-key-storage",
];
if (args.includes("--pkcs11-only")) passes.splice(0, passes.length, "pkcs11");
else if (!args.includes("--sqlite-only") && !args.includes("--postgres-only")) passes.push("pkcs11");

function find(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...find(path));
    else if (entry.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const all = [...find(join(root, "packages")), ...find(join(root, "test"))]
  .map((file) => relative(root, file))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (all.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

const runner = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec"];
let status = 0;
for (const pass of passes) {
  let files =
    pass === "sqlite"
      ? all
      : all.filter(
          (file) =>
            file.startsWith("test/") &&
            !file.startsWith("test/multinode/") &&
            !file.startsWith("test/newcomer/"),
        );
  if (pass === "pkcs11") files = all.filter((file) => PKCS11_PASS.some((prefix) => file.startsWith(prefix)));
  if (files.length === 0) continue;
  console.log(`\n# pass: servers on ${pass} (${files.length} test files)\n`);
  const command =
    pass === "sqlite"
      ? [...runner, ...files]
      : ["--import", "tsx", "scripts/run-tests-on-postgres.ts", ...runner, ...files];
  if (pass === "pkcs11") command[2] = "scripts/run-tests-on-pkcs11.ts";
  const result = spawnSync(process.execPath, command, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
