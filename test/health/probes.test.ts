import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { type Postgres, startPostgres } from "../harness/postgres.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { Scrape } from "../metrics/prometheus-text.js";
import { makeKeyHolders } from "../security-domain/support/key-holders.js";
import { downloadWithCli } from "../security-domain/support/security-domain-calls.js";

const V = "api-version=7.6";
const ROLE_DEFINITIONS = `/providers/Microsoft.Authorization/roleDefinitions?${V}`;

const readyz = (server: ServerProcess) => rawRequest(server, { path: "/readyz" });

/** The Key Vault message without its "(Activity ID: …)" tail. */
const withoutActivityId = (message: string) => message.replace(/ \(Activity ID: [^)]+\)$/, "");

function assertNotReady(response: RawResponse, check: string, reason: RegExp): void {
  assert.equal(response.status, 503, response.text);
  assert.equal(response.json.status, "not ready");
  assert.match(response.json.checks[check], reason);
  assert.match(response.json.reason, reason);
}

describe("/healthz and /readyz on a serving HSM", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  it("answer without a token, outside the Key Vault paths (no api-version)", async () => {
    const live = await rawRequest(server, { path: "/healthz" });
    assert.equal(live.status, 200);
    assert.deepEqual(live.json, { status: "ok" });
    assert.ok(live.headers["x-ms-request-id"]);
    assert.equal(live.headers["cache-control"], "no-cache");
    const ready = await readyz(server);
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.json, {
      status: "ready",
      checks: { activation: "ok", restore: "ok", store: "ok", audit: "ok" },
    });
  });

  it("ignore a bearer token, good or forged, and refuse other methods with a Key Vault error", async () => {
    assert.equal((await rawRequest(server, { path: "/readyz", token: "not.a.token" })).status, 200);
    assert.equal(
      (await rawRequest(server, { path: "/healthz", token: await adminToken(server) })).status,
      200,
    );
    const post = await rawRequest(server, { method: "POST", path: "/healthz", body: {} });
    assert.equal(post.status, 405);
    assert.equal(post.json.error.code, "MethodNotAllowed");
    assert.equal(post.headers.allow, "GET");
  });
});

describe("/readyz on an HSM waiting for its security domain", () => {
  let server: ServerProcess;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-readyz-sd-"));
    server = await startServerProcess({ args: ["--activation", "security-domain"] });
  });
  after(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers 503 with the data plane's own reason until the security domain is downloaded, then 200", async () => {
    const refused = await rawRequest(server, { path: `/keys?${V}`, token: await adminToken(server) });
    assert.equal(refused.json.error.code, "HsmNotActivated");
    const notReady = await readyz(server);
    assert.equal(notReady.status, 503, notReady.text);
    assert.equal(notReady.json.checks.activation, withoutActivityId(refused.json.error.message));
    assert.equal(notReady.json.reason, notReady.json.checks.activation);
    assert.equal(notReady.json.checks.store, "ok");
    assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200, "alive while not ready");

    const holders = makeKeyHolders(dir, "holder", 3);
    const downloaded = await downloadWithCli(
      server,
      holders.map((h) => h.certificate),
      join(dir, "sd.json"),
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    await waitFor(() => readyz(server), {
      what: "/readyz to answer 200 after activation",
      timeoutMs: 10_000,
      until: (response) => response.status === 200,
    });
  });
});

describe("/readyz while a full restore runs", () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;
  let token: string;

  before(async () => {
    azurite = await startAzurite();
    await azurite.createContainer("backups");
    proxy = await startDelayingProxy(azurite.port, 0);
    server = await startServerProcess();
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("answers 503 (restore in progress) while it runs and 200 once it is done", async () => {
    const sas = azurite.sas("backups");
    const slowContainer = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/backups`;
    const backup = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: slowContainer, token: sas },
    });
    assert.equal(backup.status, 202, backup.text);
    const done = await waitForJob(server, token, backup);
    assert.equal(done.json.status, "Succeeded", done.text);
    const folder = String(done.json.azureStorageBlobContainerUri).slice(slowContainer.length + 1);

    proxy.delayMs = 400;
    try {
      const restore = await rawRequest(server, {
        method: "PUT",
        path: `/restore?${V}`,
        token,
        body: {
          sasTokenParameters: { storageResourceUri: slowContainer, token: sas },
          folderToRestore: folder,
        },
      });
      assert.equal(restore.status, 202, restore.text);
      const during = await rawRequest(server, { path: ROLE_DEFINITIONS, token });
      assert.equal(during.json.error?.code, "RestoreInProgress", during.text);
      assertNotReady(await readyz(server), "restore", /restore of this HSM is in progress/);
      assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200);
      proxy.delayMs = 0;
      assert.equal((await waitForJob(server, token, restore)).json.status, "Succeeded");
    } finally {
      proxy.delayMs = 0;
    }
    await waitFor(() => readyz(server), {
      what: "/readyz to answer 200 after the restore",
      timeoutMs: 10_000,
      until: (response) => response.status === 200,
    });
  });
});

describe("/readyz and the change feed when PostgreSQL stops", () => {
  let postgres: Postgres | undefined;
  let server: ServerProcess;
  const scrape = async () => new Scrape((await rawRequest(server, { path: "/metrics" })).text);

  before(async () => {
    postgres = await startPostgres();
    server = await startServerProcess({ args: ["--store", await postgres.database("mhsm_readyz")] });
  });
  after(async () => {
    await server?.dispose();
    postgres?.stop();
  });

  it("measures the change feed's lag, then reports the store unreachable and counts the feed's reconnects", async () => {
    // A role definition written: the change is announced through PostgreSQL, which also
    // delivers it back to this node's own listening connection.
    const token = await adminToken(server);
    const written = await rawRequest(server, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleDefinitions/0e000000-0000-4000-8000-00000000abcd?${V}`,
      token,
      body: { properties: { roleName: "readyz", permissions: [{ dataActions: [] }] } },
    });
    assert.equal(written.status, 201, written.text);
    await waitFor(async () => (await scrape()).sum("mhsm_change_feed_lag_seconds_count"), {
      what: "a change notification's lag on /metrics",
      timeoutMs: 10_000,
      until: (count) => count >= 1,
    });
    assert.equal((await readyz(server)).status, 200);

    const port = String(postgres?.port);
    postgres?.stop();
    postgres = undefined;
    const notReady = await waitFor(() => readyz(server), {
      what: "/readyz to report the stopped store",
      timeoutMs: 15_000,
      until: (response) => response.status === 503,
    });
    assertNotReady(notReady, "store", /^The store (cannot be reached|did not answer)/);
    assert.ok(!notReady.text.includes("postgres://"), "the store's URL is not in the answer");
    assert.ok(!notReady.text.includes(port), "the store's address is not in the answer");
    assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200, "the process still answers");
    await waitFor(async () => (await scrape()).sum("mhsm_change_feed_reconnects_total"), {
      what: "the change feed's reconnect on /metrics",
      timeoutMs: 10_000,
      until: (count) => count >= 1,
    });
  });
});
