import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import { KeyVaultAccessControlClient } from "@mhsm/keyvault-admin";
import { startMhsm } from "@mhsm/testing";
import { waitFor } from "../../../test/harness/wait-for.js";

const PACKAGE_DIR = resolve(import.meta.dirname, "..");
const REPO_ROOT = resolve(PACKAGE_DIR, "../..");

/** Whether anything still accepts connections at the URL (a stopped server does not). */
function answers(url: string, ca: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const req = request(new URL("/healthz-probe", url), { ca, method: "GET", timeout: 2000 }, (response) => {
      response.resume();
      resolvePromise(true);
    });
    req.on("error", () => resolvePromise(false));
    req.on("timeout", () => {
      req.destroy();
      resolvePromise(false);
    });
    req.end();
  });
}

/** A script (in the repository, so @mhsm/testing resolves) that starts an HSM and prints where. */
async function scriptThatStarts(body: string): Promise<string> {
  const file = join(REPO_ROOT, `.mhsm-testing-probe-${process.pid}-${Date.now()}.mjs`);
  await writeFile(
    file,
    `import { KeyVaultAccessControlClient } from "@mhsm/keyvault-admin";
import { startMhsm } from "@mhsm/testing";
const hsm = await startMhsm();
console.log(JSON.stringify({ url: hsm.url, dataDir: hsm.dataDir, ca: hsm.caCertificate }));
${body}
`,
  );
  return file;
}

describe("@mhsm/testing startMhsm", { timeout: 300_000 }, () => {
  for (const inProcess of [false, true]) {
    it(`${inProcess ? "in this process" : "as a child process"}: serves the JS SDK, then stop() removes everything`, async () => {
      const hsm = await startMhsm({ inProcess, settings: { listPageSize: 5 } });
      try {
        assert.match(hsm.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(hsm.caCertificate, /BEGIN CERTIFICATE/);
        assert.ok(existsSync(hsm.adminFile));
        const user = await hsm.principal("user", [{ role: "Managed HSM Crypto User", scope: "/keys" }]);
        const keys = new KeyClient(hsm.url, user, hsm.clientOptions);
        const created = await keys.createEcKey("made-here", { curve: "P-384" });
        assert.equal(created.key?.crv, "P-384");
        // The admin clients take the same options; the administrator manages roles...
        const access = new KeyVaultAccessControlClient(hsm.url, hsm.credential, hsm.clientOptions);
        const roleNames: string[] = [];
        for await (const definition of access.listRoleDefinitions("/")) roleNames.push(definition.roleName);
        assert.ok(roleNames.includes("Managed HSM Crypto User"), roleNames.join(", "));
        // ...but holds no key permissions, as on a real Managed HSM.
        await assert.rejects(new KeyClient(hsm.url, hsm.credential, hsm.clientOptions).getKey("made-here"), {
          statusCode: 403,
        });
      } finally {
        await hsm.stop();
      }
      assert.equal(existsSync(hsm.dataDir), false, "the data directory is removed");
      assert.equal(await answers(hsm.url, hsm.caCertificate), false, "nothing listens any more");
    });
  }

  it("two at once are isolated: each its own port, data and keys", async () => {
    const [a, b] = await Promise.all([startMhsm(), startMhsm({ inProcess: true })]);
    try {
      assert.notEqual(a.url, b.url);
      assert.notEqual(a.dataDir, b.dataDir);
      const inA = await a.principal("p", [{ role: "Managed HSM Crypto User", scope: "/keys" }]);
      const inB = await b.principal("p", [{ role: "Managed HSM Crypto User", scope: "/keys" }]);
      await new KeyClient(a.url, inA, a.clientOptions).createRsaKey("only-in-a");
      await assert.rejects(new KeyClient(b.url, inB, b.clientOptions).getKey("only-in-a"), {
        statusCode: 404,
      });
      // A's principal is unknown to B's identity provider.
      await assert.rejects(new KeyClient(b.url, inA, b.clientOptions).getKey("only-in-a"));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("a bad seed fails startMhsm with the server's message naming the entry", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mhsm-testing-seed-"));
    after(() => rm(dir, { recursive: true, force: true }));
    const seed = join(dir, "seed.json");
    await writeFile(seed, JSON.stringify({ keys: [{ name: "k", kty: "RSA", key_size: 1024 }] }));
    for (const inProcess of [false, true]) {
      await assert.rejects(
        startMhsm({ seed, inProcess }),
        /keys\[0\]: key_size 1024 is not valid for RSA-HSM/,
      );
    }
  });

  it("an HSM the tests never stop is stopped and removed when their process exits", async () => {
    const script = await scriptThatStarts("process.exit(0);");
    after(() => rm(script, { force: true }));
    const result = spawnSync(process.execPath, [script], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const started = JSON.parse(result.stdout) as { url: string; dataDir: string; ca: string };
    assert.equal(existsSync(started.dataDir), false, "the data directory is removed at exit");
    await waitFor(async () => !(await answers(started.url, started.ca)), {
      what: "the child server to stop after its parent exited",
      timeoutMs: 30_000,
    });
  });

  it("the child server stops when the tests' process is killed (SIGKILL: no exit handler runs)", async () => {
    const script = await scriptThatStarts("setInterval(() => {}, 1000);");
    after(() => rm(script, { force: true }));
    const parent = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    parent.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const line = await waitFor(() => stdout.split("\n").find((l) => l.startsWith("{")), {
      what: "the parent's line with the HSM's URL",
      timeoutMs: 60_000,
    });
    const started = JSON.parse(line) as { url: string; dataDir: string; ca: string };
    assert.equal(await answers(started.url, started.ca), true);
    parent.kill("SIGKILL");
    await waitFor(async () => !(await answers(started.url, started.ca)), {
      what: "the orphaned child server to notice its parent is gone and stop",
      timeoutMs: 30_000,
    });
    await rm(started.dataDir, { recursive: true, force: true });
  });

  it("the vitest and Jest examples pass (the node:test example runs with the suite)", () => {
    for (const script of ["example:vitest", "example:jest"]) {
      const run = spawnSync("npm", ["run", "--silent", script], {
        cwd: PACKAGE_DIR,
        encoding: "utf8",
        timeout: 240_000,
        env: { ...process.env, CI: "1", NO_COLOR: "1" },
      });
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.status, 0, `${script}:\n${output}`);
      assert.match(output, /Tests:?\s+2 passed/, `${script} ran its two tests:\n${output}`);
    }
  });
});
