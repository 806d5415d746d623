import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";

const V = "api-version=7.6";
const DEFS = "/providers/Microsoft.Authorization/roleDefinitions";

/**
 * A full restore replaces the HSM's state in one long transaction, chunk by chunk from blob
 * storage. Meanwhile the job's status and the readiness probe must still answer (on SQLite they
 * used to wait for the restore's commit, so a poll saw the job only once it had finished). One
 * row per chunk and a slow storage keep the transaction open for seconds.
 */
describe("reads answered while a full restore's transaction is open", () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;
  let token: string;

  before(async () => {
    azurite = await startAzurite();
    await azurite.createContainer("backups");
    proxy = await startDelayingProxy(azurite.port, 0);
    server = await startServerProcess({ args: ["--backup-rows-per-chunk", "1"] });
    token = await adminToken(server);
    for (let i = 0; i < 4; i++) {
      const name = `d0000000-0000-4000-8000-00000000000${i}`;
      const made = await rawRequest(server, {
        method: "PUT",
        path: `${DEFS}/${name}?${V}`,
        token,
        body: { properties: { roleName: `restore-reads-${i}` } },
      });
      assert.equal(made.status, 201, made.text);
    }
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("answers the job's status (in progress) and /readyz (not ready) mid-transaction, then finishes", async () => {
    const sas = azurite.sas("backups");
    const slowContainer = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/backups`;
    const backup = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: slowContainer, token: sas },
    });
    const backedUp = await waitForJob(server, token, backup);
    assert.equal(backedUp.json.status, "Succeeded", backedUp.text);
    const folder = String(backedUp.json.azureStorageBlobContainerUri).slice(slowContainer.length + 1);

    proxy.delayMs = 500;
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
      const statusPath = String(restore.headers["azure-asyncoperation"]).slice(server.url.length);
      const status = () => rawRequest(server, { path: statusPath, token });
      // This progress is recorded just before the transaction opens; the chunks (one row each,
      // half a second apiece) are read inside it.
      await waitFor(status, {
        what: "the restore to start replacing the HSM's state",
        timeoutMs: 20_000,
        until: (response) => /replacing the HSM's keys and roles/.test(String(response.json.statusDetails)),
      });
      const during = await status();
      assert.equal(during.status, 200, during.text);
      assert.equal(during.json.status, "InProgress", "the status answered before the restore committed");
      const ready = await rawRequest(server, { path: "/readyz" });
      assert.equal(ready.status, 503, "the readiness probe answered before the restore committed");
      assert.match(ready.text, /restore of this HSM is in progress/);

      proxy.delayMs = 0;
      const done = await waitForJob(server, token, restore);
      assert.equal(done.json.status, "Succeeded", done.text);
    } finally {
      proxy.delayMs = 0;
    }
    const roles = await rawRequest(server, { path: `${DEFS}?${V}`, token });
    assert.equal(
      (roles.json.value as Array<{ properties: { roleName: string } }>).filter((d) =>
        d.properties.roleName.startsWith("restore-reads-"),
      ).length,
      4,
    );
  });
});
