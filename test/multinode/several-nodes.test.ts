import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type Cluster, startCluster } from "./cluster.js";

const V = "api-version=7.5";
const PROVIDER = "/providers/Microsoft.Authorization";
const ROLE = {
  CRYPTO_USER: "21dbd100-6940-42c2-9190-5d6cb909625b",
  CRYPTO_AUDITOR: "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3",
};
/** The stated bound for a role change to reach every node over the change feed (README). */
const NOTIFY_BOUND_MS = 1000;

describe("several nodes on one PostgreSQL database serve one HSM", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let sas: string;

  const on = (node: ServerProcess, method: string, path: string, body?: unknown, who = token) =>
    rawRequest(node, { method, path, token: who, body });
  const assign = (
    node: ServerProcess,
    scope: string,
    role: string,
    principalId: string,
    name = randomUUID(),
  ) =>
    on(node, "PUT", `${scope === "/" ? "" : scope}${PROVIDER}/roleAssignments/${name}?${V}`, {
      properties: { roleDefinitionId: role, principalId },
    });

  before(async () => {
    const config = join(tmpdir(), `mhsm-cluster-${process.pid}.json`);
    await writeFile(
      config,
      JSON.stringify({ limits: { customRoleDefinitions: 4 }, keys: { lookupCacheSeconds: 600 } }),
    );
    // Long RBAC and key cache lifetimes: role and key changes can only reach other nodes through
    // the change feed.
    cluster = await startCluster(2, ["--config", config, "--rbac-cache-seconds", "600", "--job-lease", "3"]);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    token = await adminToken(a);
    assert.equal((await assign(a, "/", ROLE.CRYPTO_USER, a.admin.objectId)).status, 201);
    azurite = await startAzurite();
    await azurite.createContainer("cluster");
    sas = azurite.sas("cluster");
    proxy = await startDelayingProxy(azurite.port, 0);
  });
  after(async () => {
    await cluster?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("accepts a token issued by one node on the other", async () => {
    const fromB = await adminToken(b);
    assert.equal((await on(a, "GET", `${PROVIDER}/roleDefinitions?${V}`, undefined, fromB)).status, 200);
  });

  it("reads on one node what was written on the other, at once", async () => {
    const role = randomUUID();
    assert.equal(
      (await on(a, "PUT", `${PROVIDER}/roleDefinitions/${role}?${V}`, { properties: { roleName: "cross" } }))
        .status,
      201,
    );
    assert.equal(
      (await on(b, "GET", `${PROVIDER}/roleDefinitions/${role}?${V}`)).json.properties.roleName,
      "cross",
    );
    assert.equal((await on(b, "DELETE", `${PROVIDER}/roleDefinitions/${role}?${V}`)).status, 200);
    assert.equal((await on(a, "GET", `${PROVIDER}/roleDefinitions/${role}?${V}`)).status, 404);

    const created = await on(a, "POST", `/keys/shared-signer/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(created.status, 200, created.text);
    const signed = await on(b, "POST", `/keys/shared-signer/sign?${V}`, {
      alg: "ES256",
      value: randomBytes(32).toString("base64url"),
    });
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.json.kid.split("/").pop(), created.json.key.kid.split("/").pop());
  });

  it("stops using a key on every node once one node disables or deletes it", async () => {
    const created = await on(a, "POST", `/keys/roaming-key/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(created.status, 200, created.text);
    const signOnB = () =>
      on(b, "POST", `/keys/roaming-key/sign?${V}`, {
        alg: "ES256",
        value: randomBytes(32).toString("base64url"),
      });
    assert.equal((await signOnB()).status, 200, "node B has read the enabled key, and keeps it");
    const disable = await on(a, "PATCH", `/keys/roaming-key/?${V}`, { attributes: { enabled: false } });
    assert.equal(disable.status, 200, disable.text);
    assert.equal(await statusWithin(signOnB, 403, NOTIFY_BOUND_MS), 403, "disabled on B within the bound");
    const refused = await signOnB();
    assert.equal(refused.json.error.code, "Forbidden");
    assert.match(refused.json.error.message, /disabled/);
    assert.equal(
      (await on(a, "PATCH", `/keys/roaming-key/?${V}`, { attributes: { enabled: true } })).status,
      200,
    );
    assert.equal(await statusWithin(signOnB, 200, NOTIFY_BOUND_MS), 200, "enabled again on B");
    assert.equal((await on(a, "DELETE", `/keys/roaming-key?${V}`)).status, 200);
    assert.equal(await statusWithin(signOnB, 404, NOTIFY_BOUND_MS), 404, "deleted on B within the bound");
  });

  it("grants on every node a role assigned on one, and takes it away on every node within the stated bound", async () => {
    const user = await createPrincipal(a, "roaming");
    const read = () => on(b, "GET", `${PROVIDER}/roleDefinitions?${V}`, undefined, user.token);
    assert.equal((await read()).status, 403, "no role yet; node B caches that");
    const name = randomUUID();
    assert.equal((await assign(a, "/", ROLE.CRYPTO_AUDITOR, user.objectId, name)).status, 201);
    assert.equal(await statusWithin(read, 200, NOTIFY_BOUND_MS), 200, "granted on B");
    assert.equal((await on(a, "DELETE", `${PROVIDER}/roleAssignments/${name}?${V}`)).status, 200);
    assert.equal(await statusWithin(read, 403, NOTIFY_BOUND_MS), 403, "revoked on B within the bound");
  });

  it("gives one winner and clean 409s when nodes race to create the same role assignment", async () => {
    const name = randomUUID();
    const principal = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => assign(i % 2 ? a : b, "/keys", ROLE.CRYPTO_USER, principal, name)),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(11).fill(409)], results.map((r) => r.text).join("\n"));
    assert.ok(
      results.filter((r) => r.status === 409).every((r) => r.json.error.code === "RoleAssignmentExists"),
    );
  });

  it("holds the custom role limit and the per-key assignment limit under concurrent writers on both nodes", async () => {
    const defined = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        on(i % 2 ? a : b, "PUT", `${PROVIDER}/roleDefinitions/${randomUUID()}?${V}`, {
          properties: { roleName: `race ${i}` },
        }),
      ),
    );
    assert.equal(defined.filter((r) => r.status === 201).length, 4, defined.map((r) => r.status).join(","));
    assert.ok(
      defined
        .filter((r) => r.status !== 201)
        .every((r) => r.json.error.code === "RoleDefinitionLimitExceeded"),
    );
    const custom = (await on(a, "GET", `${PROVIDER}/roleDefinitions?${V}`)).json.value.filter(
      (d: { properties: { type: string } }) => d.properties.type === "CustomRole",
    );
    assert.equal(custom.length, 4);

    const assigned = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        assign(i % 2 ? a : b, "/keys/hot", ROLE.CRYPTO_USER, randomUUID()),
      ),
    );
    assert.equal(
      assigned.filter((r) => r.status === 201).length,
      10,
      assigned.map((r) => r.status).join(","),
    );
    assert.ok(
      assigned
        .filter((r) => r.status !== 201)
        .every((r) => r.json.error.code === "RoleAssignmentLimitExceeded"),
    );
  });

  it("never forks a key's versions when nodes rotate it at once", async () => {
    assert.equal(
      (await on(a, "POST", `/keys/rotating/create?${V}`, { kty: "EC", crv: "P-256" })).status,
      200,
    );
    const rotations = await Promise.all(
      Array.from({ length: 10 }, (_, i) => on(i % 2 ? a : b, "POST", `/keys/rotating/rotate?${V}`)),
    );
    assert.ok(
      rotations.every((r) => r.status === 200),
      rotations.map((r) => r.text).join("\n"),
    );
    const versions = new Set<string>();
    let next: string | null = `/keys/rotating/versions?${V}&maxresults=25`;
    while (next) {
      const page: RawResponse = await on(a, "GET", next);
      for (const item of page.json.value) versions.add(String(item.kid).split("/").pop() as string);
      next = page.json.nextLink ? String(page.json.nextLink).replace(/^https:\/\/[^/]+/, "") : null;
    }
    assert.equal(versions.size, 11);
    const latestOnA = (await on(a, "GET", `/keys/rotating?${V}`)).json.key.kid;
    const latestOnB = (await on(b, "GET", `/keys/rotating?${V}`)).json.key.kid;
    assert.equal(latestOnA.split("/").pop(), latestOnB.split("/").pop());
  });

  it("reports a backup started on one node from the other, and closes the other node's data plane during a restore", async () => {
    const containerUrl = `${azurite.accountUrl}/cluster`;
    const backup = await on(a, "POST", `/backup?${V}`, { storageResourceUri: containerUrl, token: sas });
    assert.equal(backup.status, 202, backup.text);
    const done = await waitForJob(b, token, backup);
    assert.equal(done.json.status, "Succeeded", done.text);

    proxy.delayMs = 400;
    try {
      const folder = String(done.json.azureStorageBlobContainerUri).split("/").pop();
      const slow = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/cluster`;
      const restore = await on(b, "PUT", `/restore?${V}`, {
        sasTokenParameters: { storageResourceUri: slow, token: sas },
        folderToRestore: folder,
      });
      assert.equal(restore.status, 202, restore.text);
      assert.equal(
        await statusWithin(() => on(a, "GET", `/keys?${V}`), 503, 2500),
        503,
        "node A is closed too",
      );
      proxy.delayMs = 0;
      assert.equal((await waitForJob(a, token, restore)).json.status, "Succeeded");
      assert.equal(
        await statusWithin(() => on(a, "GET", `/keys?${V}`), 200, 5000),
        200,
        "and open again after",
      );
    } finally {
      proxy.delayMs = 0;
    }
  });

  it("fails the job of a node killed with SIGKILL mid-backup once its lease runs out, on another node", async () => {
    const third = await cluster.addNode();
    // Enough keys that the backup takes several slow blobs.
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 1200; i += 8) {
          const created = await on(a, "POST", `/keys/bulk-${i}/create?${V}`, { kty: "EC", crv: "P-256" });
          assert.equal(created.status, 200, created.text);
        }
      }),
    );
    proxy.delayMs = 300;
    const slow = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/cluster`;
    const accepted = await on(third, "POST", `/backup?${V}`, { storageResourceUri: slow, token: sas });
    assert.equal(accepted.status, 202, accepted.text);
    const status = `/backup/${accepted.json.jobId}/pending?${V}`;
    await waitFor(
      async () => {
        const running = await on(a, "GET", status);
        assert.equal(running.json.status, "InProgress", "still running when the node is killed");
        return /Writing backup: [2-9] of/.test(String(running.json.statusDetails));
      },
      { what: "the backup to write its second blob", timeoutMs: 120_000, intervalMs: 100 },
    );
    await third.kill();
    proxy.delayMs = 0;

    const failed = await statusJob(b, status, 20_000);
    assert.equal(failed.json.status, "Failed", failed.text);
    assert.equal(failed.json.error.code, "JobInterrupted");
    const again = await on(b, "POST", `/backup?${V}`, {
      storageResourceUri: `${azurite.accountUrl}/cluster`,
      token: sas,
    });
    assert.equal(again.status, 202, "the slot is free");
    assert.equal((await waitForJob(a, token, again, 120_000)).json.status, "Succeeded");
  });

  it("keeps key material and client secrets out of the database in plain text", async () => {
    const oct = randomBytes(32);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    assert.equal(
      (
        await on(a, "PUT", `/keys/imported-oct?${V}`, {
          key: { kty: "oct-HSM", k: oct.toString("base64url"), key_ops: ["encrypt", "decrypt"] },
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await on(b, "PUT", `/keys/imported-rsa?${V}`, {
          key: { ...rsa, kty: "RSA-HSM", key_ops: ["sign", "verify"] },
        })
      ).status,
      200,
    );
    const principal: TestPrincipal = await createPrincipal(b, "secretive");
    const client = new pg.Client({ connectionString: cluster.storeUrl });
    await client.connect();
    let dump = "";
    try {
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      for (const { tablename } of tables.rows) {
        const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
        dump += rows.rows.map((r) => r.row).join("\n");
      }
    } finally {
      await client.end();
    }
    assert.ok(
      dump.includes("imported-rsa") && dump.includes(String(rsa.n).slice(0, 40)),
      "the dump holds the keys' public parts",
    );
    const secrets: Array<[string, string]> = [
      ["oct key (base64url)", oct.toString("base64url")],
      ["oct key (base64)", oct.toString("base64")],
      ["oct key (hex)", oct.toString("hex")],
      ["RSA d", String(rsa.d)],
      ["RSA p", String(rsa.p)],
      ["client secret", principal.clientSecret],
      ["initial admin secret", a.admin.clientSecret],
    ];
    for (const [what, secret] of secrets)
      assert.ok(!dump.includes(secret), `${what} is in the database in plain text`);
  });
});

/** Polls until the status is `want`; fails (naming the last status) if the time is up first. */
async function statusWithin(
  request: () => Promise<RawResponse>,
  want: number,
  withinMs: number,
): Promise<number> {
  const answer = await waitFor(request, {
    what: `status ${want}`,
    timeoutMs: withinMs,
    until: (response) => response.status === want,
  });
  return answer.status;
}

async function statusJob(node: ServerProcess, path: string, withinMs: number): Promise<RawResponse> {
  const token = await adminToken(node);
  return waitFor(() => rawRequest(node, { path, token }), {
    what: `job ${path} to leave InProgress`,
    timeoutMs: withinMs,
    intervalMs: 200,
    until: (response) => response.json?.status !== "InProgress",
  });
}
