import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { grantAdminKeyRoles } from "./support/roles.js";

const V = "api-version=7.5";
const DAY_SECONDS = 86_400;
const WEBHOOK_SECRET = "function-key-4b1d9e";
/** Keys that only show that maintenance runs happened (wholeMaintenanceRuns). */
const MARKER = "run-marker-";

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  events: Array<{
    id: string;
    topic: string;
    subject: string;
    eventType: string;
    eventTime: string;
    data: Record<string, unknown>;
    dataVersion: string;
    metadataVersion: string;
  }>;
}

/**
 * A rotation policy's Notify action, end to end: the server's maintenance loop POSTs a
 * Microsoft.KeyVault.KeyNearExpiry event (Event Grid schema) to the configured webhook once per
 * key version, retries a delivery the receiver refused, and does not repeat it after a restart.
 */
describe("keys: a Notify lifetime action sends KeyNearExpiry to the events webhook", () => {
  let receiver: Server;
  const deliveries: Delivery[] = [];
  let refuseNext = true;
  let configDir: string;
  let config: string;
  let server: ServerProcess;
  let token: string;
  let expiresAt: number;
  let kid: string;
  let markers = 0;

  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path: `${path}?${V}`, token, body });

  before(async () => {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        // The first delivery is refused, as by a receiver that is down: the HSM must retry.
        if (refuseNext) {
          refuseNext = false;
          response.writeHead(503).end();
          return;
        }
        deliveries.push({ headers: request.headers, events: JSON.parse(body) as Delivery["events"] });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    configDir = await mkdtemp(join(tmpdir(), "mhsm-notice-"));
    config = join(configDir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        keys: { maintenanceIntervalSeconds: 1 },
        events: { webhookUrl: `http://127.0.0.1:${port}/events?code=${WEBHOOK_SECRET}` },
      }),
    );
    server = await startServerProcess({ args: ["--config", config] });
    await grantAdminKeyRoles(server);
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
    await rm(configDir, { recursive: true, force: true });
    receiver?.close();
  });

  it("delivers one event for a key within timeBeforeExpiry of its expiry, after a refused first try", async () => {
    expiresAt = Math.floor(Date.now() / 1000) + 10 * DAY_SECONDS;
    const created = await call("POST", "/keys/expiring-soon/create", {
      kty: "EC",
      attributes: { exp: expiresAt },
    });
    assert.equal(created.status, 200, created.text);
    kid = created.json.key.kid;
    const far = await call("POST", "/keys/expiring-later/create", {
      kty: "EC",
      attributes: { exp: expiresAt + 60 * DAY_SECONDS },
    });
    assert.equal(far.status, 200, far.text);
    const policy = {
      lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }],
    };
    for (const name of ["expiring-soon", "expiring-later"]) {
      const set = await call("PUT", `/keys/${name}/rotationpolicy`, policy);
      assert.equal(set.status, 200, set.text);
    }

    await waitFor(() => deliveries.length >= 1, {
      what: "a delivery the receiver took",
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const [delivery] = deliveries as [Delivery];
    assert.equal(delivery.headers["content-type"], "application/json");
    assert.equal(delivery.events.length, 1);
    const [event] = delivery.events as [Delivery["events"][number]];
    assert.equal(event.eventType, "Microsoft.KeyVault.KeyNearExpiry");
    assert.equal(event.subject, "expiring-soon");
    assert.equal(event.topic, server.url);
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(Date.parse(event.eventTime) - Date.now()) < 60_000);
    assert.deepEqual(event.data, {
      Id: kid,
      VaultName: "mhsm",
      ObjectType: "Key",
      ObjectName: "expiring-soon",
      Version: kid.split("/").pop(),
      NBF: null,
      EXP: expiresAt,
    });
    assert.equal(event.dataVersion, "1");
    assert.equal(event.metadataVersion, "1");
    // The server logs the notice once the webhook has taken it, which is after the test saw it.
    await waitFor(
      () => /key expiring-soon version [0-9a-f]{32} expires at .*KeyNearExpiry/.test(server.output()),
      {
        what: "the near-expiry notice in the server's log",
        timeoutMs: 10_000,
      },
    );
  });

  it("does not repeat it, nor notify a key whose expiry is further away, nor log the webhook's secret", async () => {
    await wholeMaintenanceRuns(3);
    assert.deepEqual(subjectsNotified(), ["expiring-soon"]);
    assert.ok(!server.output().includes(WEBHOOK_SECRET));
    assert.ok(!server.output().includes("expiring-later"));
  });

  it("does not repeat it after a restart", async () => {
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir, args: ["--config", config] });
    token = await adminToken(server);
    assert.equal((await call("GET", "/keys/expiring-soon")).status, 200);
    await wholeMaintenanceRuns(3);
    assert.deepEqual(subjectsNotified(), ["expiring-soon"]);
  });

  /** The keys notified so far, but for the markers of wholeMaintenanceRuns. */
  function subjectsNotified(): string[] {
    return deliveries.flatMap((d) => d.events.map((e) => e.subject)).filter((s) => !s.startsWith(MARKER));
  }

  /**
   * Returns once `count` maintenance runs that started after the call have finished: in each the
   * server looked at every key's policy again, so a notice it would repeat has been sent. A
   * marker key, due for its notice at once, is notified by the first run that reads it; the next
   * marker, set up after that delivery, only by a later run (runs never overlap), so each marker
   * but the first shows that the run before it ended.
   */
  async function wholeMaintenanceRuns(count: number): Promise<void> {
    for (let i = 0; i <= count; i++) {
      const name = `${MARKER}${++markers}`;
      const created = await call("POST", `/keys/${name}/create`, {
        kty: "EC",
        attributes: { exp: expiresAt },
      });
      assert.equal(created.status, 200, created.text);
      const set = await call("PUT", `/keys/${name}/rotationpolicy`, {
        lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }],
      });
      assert.equal(set.status, 200, set.text);
      await waitFor(() => deliveries.some((d) => d.events.some((e) => e.subject === name)), {
        what: `the notice of marker key ${name} (a maintenance run)`,
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    }
  }
});
