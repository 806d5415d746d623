import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type Cluster, startCluster } from "../multinode/cluster.js";
import { Scrape } from "./prometheus-text.js";

const DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";

/**
 * Two nodes on one PostgreSQL database: a change made on A reaches B through the change feed
 * and B measures the delivery's lag; when PostgreSQL drops the nodes' listening connections,
 * each node counts its reconnect, and changes reach B again afterwards.
 */
describe("change-feed metrics across two nodes", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;

  const scrape = async (node: ServerProcess) =>
    new Scrape((await rawRequest(node, { path: "/metrics" })).text);
  const lagCount = async (node: ServerProcess) =>
    (await scrape(node)).sum("mhsm_change_feed_lag_seconds_count");
  const writeRole = async () => {
    const name = randomUUID();
    const written = await rawRequest(a, {
      method: "PUT",
      path: `${DEFINITIONS}/${name}?api-version=7.4`,
      token,
      body: { properties: { roleName: `feed-${name}`, permissions: [{ dataActions: [] }] } },
    });
    assert.equal(written.status, 201, written.text);
  };

  before(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    token = await adminToken(a);
  });
  after(() => cluster?.dispose());

  it("measures on B the lag of a change made on A", async () => {
    const before = await lagCount(b);
    await writeRole();
    await waitFor(() => lagCount(b), {
      what: "B to receive A's change notification",
      timeoutMs: 10_000,
      until: (count) => count > before,
    });
    const lag = await scrape(b);
    assert.ok(lag.sum("mhsm_change_feed_lag_seconds_sum") >= 0);
    assert.equal(lag.sum("mhsm_change_feed_reconnects_total"), 0);
  });

  it("shows each node's last returned heartbeat, moving on several times a second", async () => {
    const heartbeat = async (node: ServerProcess) =>
      (await scrape(node)).sum("mhsm_change_feed_last_heartbeat_timestamp_seconds");
    for (const node of [a, b]) {
      const start = Date.now() / 1000;
      const seen = await waitFor(() => heartbeat(node), {
        what: "a heartbeat sent after this check began",
        timeoutMs: 5000,
        until: (sentAt) => sentAt >= start,
      });
      assert.ok(seen <= Date.now() / 1000, "a time that has passed");
    }
  });

  it("counts each node's reconnect when PostgreSQL drops the feed, and delivers changes again", async () => {
    const database = new URL(cluster.storeUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: cluster.storeUrl });
    await admin.connect();
    try {
      const dropped = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mhsm-listen' AND datname = $1",
        [database],
      );
      assert.equal(dropped.rowCount, 2, "one listening connection per node");
    } finally {
      await admin.end();
    }
    for (const node of [a, b]) {
      await waitFor(async () => (await scrape(node)).sum("mhsm_change_feed_reconnects_total"), {
        what: "the node's change-feed reconnect on /metrics",
        timeoutMs: 10_000,
        until: (count) => count === 1,
      });
    }
    // Once B listens again (its reconnect is counted before it listens), A's changes reach it.
    const before = await lagCount(b);
    await waitFor(
      async () => {
        await writeRole();
        return lagCount(b);
      },
      {
        what: "a change on A to reach B after the reconnect",
        timeoutMs: 15_000,
        intervalMs: 500,
        until: (c) => c > before,
      },
    );
  });
});
