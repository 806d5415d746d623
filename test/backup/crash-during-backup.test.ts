import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.4";

describe("a server killed with SIGKILL during a backup", () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;

  before(async () => {
    azurite = await startAzurite();
    await azurite.createContainer("backups");
    proxy = await startDelayingProxy(azurite.port, 1500);
    server = await startServerProcess();
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("reports the job Failed with the reason after a restart, frees the slot, and never restores the partial folder", async () => {
    const sas = azurite.sas("backups");
    const slowContainer = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/backups`;
    let token = await adminToken(server);
    const accepted = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: slowContainer, token: sas },
    });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json.jobId as string;
    // Let the job reach the storage service, then crash the process.
    await new Promise((r) => setTimeout(r, 2000));
    const running = await rawRequest(server, { path: `/backup/${jobId}/pending?${V}`, token });
    assert.equal(running.json.status, "InProgress");
    await server.kill();
    proxy.delayMs = 0;

    server = await startServerProcess({ dataDir: server.dataDir });
    token = await adminToken(server);
    const after = await rawRequest(server, { path: `/backup/${jobId}/pending?${V}`, token });
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.status, "Failed");
    assert.equal(after.json.error.code, "JobInterrupted");
    assert.match(after.json.error.message, /server stopped while this backup job was running/);
    assert.ok(after.json.endTime >= after.json.startTime);

    // Whatever the dead job wrote has no manifest, so no restore takes it.
    const folders = new Set<string>();
    for await (const blob of azurite.service.getContainerClient("backups").listBlobsFlat()) {
      folders.add(blob.name.split("/")[0] as string);
    }
    for (const folder of folders) {
      const restore = await rawRequest(server, {
        method: "PUT",
        path: `/restore?${V}`,
        token,
        body: {
          sasTokenParameters: { storageResourceUri: azurite.accountUrl + "/backups", token: sas },
          folderToRestore: folder,
        },
      });
      const result = await waitForJob(server, token, restore);
      assert.equal(result.json.status, "Failed");
      assert.match(result.json.error.message, /no backup manifest/);
    }

    // The one-at-a-time slot is free again.
    const again = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: `${azurite.accountUrl}/backups`, token: sas },
    });
    assert.equal(again.status, 202, again.text);
    assert.equal((await waitForJob(server, token, again)).json.status, "Succeeded");
  });
});
