import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { PostgresChangeFeed } from "../../packages/server/src/platform/store/change-feed.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type Cluster, startCluster } from "./cluster.js";

const V = "api-version=7.5";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const sql = async (url: string, text: string, values: unknown[] = []) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
};

/**
 * The database announces every write to the keys and RBAC tables itself (migration 0010), so a
 * write no mhsm node announced — made with psql, or by a node that died between its commit and
 * anything after it — still reaches every node's caches. The nodes cache key lookups and RBAC
 * decisions for 600 s here: only an announcement can explain a change being seen.
 */
describe("change announcements from the database reach every node", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;

  before(async () => {
    const config = join(tmpdir(), `mhsm-announce-${process.pid}.json`);
    await writeFile(config, JSON.stringify({ keys: { lookupCacheSeconds: 600 } }));
    cluster = await startCluster(2, ["--config", config, "--rbac-cache-seconds", "600"]);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    token = await adminToken(a);
    const assigned = await rawRequest(a, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
      token,
      body: {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
          principalId: a.admin.objectId,
        },
      },
    });
    assert.equal(assigned.status, 201, assigned.text);
  });
  after(() => cluster?.dispose());

  it("stops using a key on both nodes once it is disabled in the database behind their backs", async () => {
    const name = `Behind-${randomUUID().slice(0, 8)}`;
    const created = await rawRequest(a, {
      method: "POST",
      path: `/keys/${name}/create?${V}`,
      token,
      body: { kty: "EC-HSM", crv: "P-256" },
    });
    assert.equal(created.status, 200, created.text);
    const sign = (node: ServerProcess) =>
      rawRequest(node, {
        method: "POST",
        path: `/keys/${name.toLowerCase()}/sign?${V}`,
        token,
        body: { alg: "ES256", value: randomBytes(32).toString("base64url") },
      });
    for (const node of [a, b]) assert.equal((await statusWithin(() => sign(node), 200)).status, 200);

    await sql(cluster.storeUrl, "UPDATE key_versions SET enabled = 0 WHERE lower(name) = lower($1)", [name]);
    for (const node of [a, b]) {
      const refused = await statusWithin(() => sign(node), 403);
      assert.match(refused.json.error.message, /disabled/);
    }
  });

  it("refuses a principal on both nodes once its role assignment is deleted in the database", async () => {
    const user = await createPrincipal(a, "announced-user");
    const keyName = `granted-${randomUUID().slice(0, 8)}`;
    assert.equal(
      (
        await rawRequest(a, {
          method: "POST",
          path: `/keys/${keyName}/create?${V}`,
          token,
          body: { kty: "EC-HSM", crv: "P-256" },
        })
      ).status,
      200,
    );
    const assignment = randomUUID();
    const granted = await rawRequest(a, {
      method: "PUT",
      path: `/keys/${keyName}/providers/Microsoft.Authorization/roleAssignments/${assignment}?${V}`,
      token,
      body: {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
          principalId: user.objectId,
        },
      },
    });
    assert.equal(granted.status, 201, granted.text);
    const get = (node: ServerProcess) =>
      rawRequest(node, { path: `/keys/${keyName}?${V}`, token: user.token });
    for (const node of [a, b]) assert.equal((await statusWithin(() => get(node), 200)).status, 200);

    const deleted = await sql(cluster.storeUrl, "DELETE FROM role_assignments WHERE name = $1", [assignment]);
    assert.equal(deleted.rowCount, 1);
    for (const node of [a, b]) {
      const refused = await statusWithin(() => get(node), 403);
      assert.equal(refused.json.error.code, "AccessDenied");
    }
  });
});

/**
 * The feed on its own, against a real PostgreSQL database migrated to the latest schema: what
 * the triggers announce (by key name, one "everything" for a bulk write, nothing for a
 * rollback), and the heartbeat that lets caches trust what they hold (through a TCP proxy the
 * test can freeze, as a half-open connection or a frozen network would).
 */
describe("the PostgreSQL change feed: announcements and heartbeat", () => {
  let cluster: Cluster;
  let proxy: DelayingProxy;
  let feed: PostgresChangeFeed;
  const heard: Array<{ topic: string; subject: string | undefined; at: number }> = [];
  const trouble: string[] = [];

  before(async () => {
    // One node migrates the database; the feed under test is this process's own.
    cluster = await startCluster(1);
    const target = new URL(cluster.storeUrl);
    proxy = await startDelayingProxy(Number(target.port), 0);
    const viaProxy = new URL(cluster.storeUrl);
    viaProxy.port = String(proxy.port);
    feed = await PostgresChangeFeed.connect(
      viaProxy.toString(),
      (message) => trouble.push(message),
      undefined,
      {
        intervalMs: 50,
        deadAfterMs: 600,
      },
    );
    for (const topic of ["keys", "rbac", "jobs"] as const)
      feed.subscribe(topic, (subject) => heard.push({ topic, subject, at: Date.now() }));
  });
  after(async () => {
    await feed?.close();
    await proxy?.close();
    await cluster?.dispose();
  });

  /** Waits until every change committed so far has provably been delivered to the feed. */
  const caughtUp = async () => {
    const committed = Date.now();
    await waitFor(() => feed.deliveredThrough() > committed, {
      what: "a heartbeat sent after the last commit to return",
      timeoutMs: 5000,
      intervalMs: 10,
    });
  };
  const heardSince = (mark: number) => heard.slice(mark).map(({ topic, subject }) => ({ topic, subject }));
  const insertKey = (name: string) =>
    `INSERT INTO keys (name, current_version, created_at) VALUES ('${name}', 'v1', 1)`;

  it("hears each key write by its name in lower case, a bulk write as everything, and nothing of a rollback", async () => {
    const mark = heard.length;
    await sql(cluster.storeUrl, insertKey("Feed-One"));
    await sql(cluster.storeUrl, "UPDATE keys SET rotation_policy = '{}' WHERE name = 'Feed-One'");
    await sql(cluster.storeUrl, "DELETE FROM keys WHERE name = 'Feed-One'");
    await caughtUp();
    assert.deepEqual(heardSince(mark), [
      { topic: "keys", subject: "feed-one" },
      { topic: "keys", subject: "feed-one" },
      { topic: "keys", subject: "feed-one" },
    ]);

    const bulk = heard.length;
    await sql(
      cluster.storeUrl,
      "INSERT INTO keys (name, current_version, created_at) SELECT 'bulk-' || i, 'v1', 1 FROM generate_series(1, 101) AS i",
    );
    await sql(cluster.storeUrl, "DELETE FROM keys WHERE name LIKE 'bulk-%'");
    await caughtUp();
    assert.deepEqual(heardSince(bulk), [
      { topic: "keys", subject: undefined },
      { topic: "keys", subject: undefined },
    ]);

    const rolledBack = heard.length;
    const client = new pg.Client({ connectionString: cluster.storeUrl });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(insertKey("never-committed"));
      await client.query("DELETE FROM role_assignments");
      await client.query("ROLLBACK");
      // A statement that changes no row announces no key.
      await client.query("UPDATE keys SET rotation_policy = NULL WHERE name = 'no-such-key'");
    } finally {
      await client.end();
    }
    await caughtUp();
    assert.deepEqual(heardSince(rolledBack), [], "nothing of a rolled-back transaction");

    const rbac = heard.length;
    await sql(cluster.storeUrl, "UPDATE role_definitions SET description = description");
    await caughtUp();
    assert.deepEqual(heardSince(rbac), [{ topic: "rbac", subject: undefined }]);
  });

  it("stops vouching at once when the connection freezes, replaces it, and drops every cache on its return", async () => {
    await caughtUp();
    const frozenAt = Date.now();
    proxy.frozen = true;
    // A change made while the feed hears nothing: its announcement is lost with the connection.
    await sql(cluster.storeUrl, insertKey("while-frozen"));
    await waitFor(() => trouble.some((message) => /stopped answering/.test(message)), {
      what: "the feed to give up on the frozen connection",
      timeoutMs: 5000,
    });
    assert.ok(feed.deliveredThrough() <= frozenAt, "no proof of delivery from after the freeze");
    assert.ok(
      !heard.some((entry) => entry.subject === "while-frozen"),
      "the frozen connection delivered nothing",
    );

    const thawedAt = Date.now();
    proxy.frozen = false;
    await waitFor(() => feed.deliveredThrough() > thawedAt, {
      what: "heartbeats to return over the new connection",
      timeoutMs: 10_000,
    });
    for (const topic of ["keys", "rbac", "jobs"]) {
      assert.ok(
        heard.some((entry) => entry.topic === topic && entry.subject === undefined && entry.at >= thawedAt),
        `every ${topic} cache dropped after the reconnect`,
      );
    }
    await sql(cluster.storeUrl, "DELETE FROM keys WHERE name = 'while-frozen'");
    await caughtUp();
    assert.ok(heard.some((entry) => entry.subject === "while-frozen" && entry.at >= thawedAt));
  });
});

async function statusWithin(request: () => Promise<RawResponse>, want: number): Promise<RawResponse> {
  return waitFor(request, {
    what: `status ${want}`,
    timeoutMs: 2000,
    until: (response) => response.status === want,
  });
}
