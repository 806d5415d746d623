import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/server-process.js";

/** Runs `npm run bench`'s script with tiny counts: it must run end to end and print its table. No timing is asserted. */
describe("npm run bench (smoke)", () => {
  it("starts a server, runs each operation both ways and prints the table", async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(REPO_ROOT, "scripts/bench.ts"),
          "--count",
          "12",
          "--concurrency",
          "3",
          "--backup-keys",
          "20",
          "--keys",
          "30",
        ],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("exit", (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /mhsm two nodes \(one PostgreSQL database/);
    assert.match(stdout, /^EC P-256 ES256 sign\s+\|\s+\d+ \|\s+\d+ \|/m);
    assert.match(stdout, /mhsm backup and restore of 20 keys/);
    assert.match(stdout, /mhsm with many keys: 30 EC P-256 keys/);
    assert.match(stdout, /^EC P-256 ES256 sign\s+\|\s+\d+ \|\s+\d+ \|\s+\d+% \|/m);
    assert.match(stdout, /^list all keys, 25 a page {2}\| 2 pages in /m);
    assert.match(stdout, /with 300 role assignments \(10 per key scope/);
    assert.match(stdout, /^backup {2}\| \d+\.\d{2} s \| \d+ keys\/s$/m);
    assert.match(stdout, /^restore \| \d+\.\d{2} s \| \d+ keys\/s$/m);
    assert.match(stdout, /3 concurrent clients, 12 operations per row/);
    assert.match(stdout, /^RSA-2048 PS256 sign\s+\|\s+\d+ \|\s+\d+ \|\s+\d+\.\d{2} \|/m, "the pkcs11 rows");
    assert.match(stdout, /mhsm keys in a PKCS#11 token \(SoftHSM2/);
    assert.match(stdout, /operation\s+\| server ops\/s \| p50 ms \| p99 ms \| in-process ops\/s/);
    for (const label of [
      "RSA-2048 PS256 sign",
      "EC P-256 ES256 sign",
      "AES-256 wrapKey (A256KW)",
      "get key (RSA-2048)",
    ]) {
      const row = stdout.split("\n").find((line) => line.startsWith(label));
      assert.ok(row, `${label} row`);
      const cells = row.split("|").map((cell) => cell.trim());
      assert.ok(Number(cells[1]) > 0, `${label}: server ops/s is a positive number`);
      assert.ok(Number(cells[4]) > 0, `${label}: in-process ops/s is a positive number`);
      assert.match(cells[5] ?? "", /^\d+%$/);
      assert.ok(Number(cells[6]) > 0, `${label}: in-process one-thread ops/s is a positive number`);
      assert.match(cells[7] ?? "", /^\d+%$/);
      assert.match(cells[9] ?? "", /^\d+\.\d{3}\+\d+\.\d{3}$/);
    }
  });
});
