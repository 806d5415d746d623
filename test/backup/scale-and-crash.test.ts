import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";

const V = "api-version=7.5";
const KEY_COUNT = 5000; // the Managed HSM limit
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";

describe("5,000 keys: backup and restore complete; a SIGKILL mid-backup leaves nothing restorable", () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;
  let token: string;
  let containerUrl: string;
  let sas: string;
  let folderUrl: string;

  const keyName = (i: number) => `scale-${String(i).padStart(5, "0")}`;
  async function inParallel<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < count) await work(next++);
      }),
    );
  }
  async function keyStatus(name: string): Promise<number> {
    return (await rawRequest(server, { path: `/keys/${name}?${V}`, token })).status;
  }

  before(async () => {
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("scale");
    sas = azurite.sas("scale");
    proxy = await startDelayingProxy(azurite.port, 0);
    server = await startServerProcess();
    token = await adminToken(server);
    const granted = await rawRequest(server, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?${V}`,
      token,
      body: { properties: { roleDefinitionId: CRYPTO_USER, principalId: server.admin.objectId } },
    });
    assert.equal(granted.status, 201, granted.text);
    await inParallel(KEY_COUNT, 16, async (i) => {
      const created = await rawRequest(server, {
        method: "POST",
        path: `/keys/${keyName(i)}/create?${V}`,
        token,
        body: { kty: "EC-HSM", crv: "P-256" },
      });
      assert.equal(created.status, 200, created.text);
    });
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("backs up all 5,000 keys", async () => {
    const done = await waitForJob(
      server,
      token,
      await rawRequest(server, {
        method: "POST",
        path: `/backup?${V}`,
        token,
        body: { storageResourceUri: containerUrl, token: sas },
      }),
      300_000,
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.match(done.json.statusDetails, /5000 keys \(5000 versions\)/);
    folderUrl = done.json.azureStorageBlobContainerUri;
  });

  it("restores all 5,000 keys, undoing later deletes and creates", async () => {
    for (const i of [0, 1234, 4999]) {
      assert.equal(
        (await rawRequest(server, { method: "DELETE", path: `/keys/${keyName(i)}?${V}`, token })).status,
        200,
      );
    }
    const extra = await rawRequest(server, {
      method: "POST",
      path: `/keys/after-backup/create?${V}`,
      token,
      body: { kty: "EC", crv: "P-256" },
    });
    assert.equal(extra.status, 200);
    const cut = folderUrl.lastIndexOf("/");
    const restored = await waitForJob(
      server,
      token,
      await rawRequest(server, {
        method: "PUT",
        path: `/restore?${V}`,
        token,
        body: {
          sasTokenParameters: { storageResourceUri: folderUrl.slice(0, cut), token: sas },
          folderToRestore: folderUrl.slice(cut + 1),
        },
      }),
      300_000,
    );
    assert.equal(restored.json.status, "Succeeded", restored.text);
    for (const i of [0, 1234, 4999, 2500]) assert.equal(await keyStatus(keyName(i)), 200, keyName(i));
    assert.equal(await keyStatus("after-backup"), 404);
    let listed = 0;
    let next: string | null = `/keys?${V}&maxresults=25`;
    while (next) {
      const page: Awaited<ReturnType<typeof rawRequest>> = await rawRequest(server, { path: next, token });
      assert.equal(page.status, 200, page.text);
      listed += page.json.value.length;
      next = page.json.nextLink ? String(page.json.nextLink).slice(server.url.length) : null;
    }
    assert.equal(listed, KEY_COUNT);
  });

  it("fails a backup killed with SIGKILL after restart; its partial folder is refused; the slot is free", async () => {
    proxy.delayMs = 150;
    const slow = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/scale`;
    const accepted = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: slow, token: sas },
    });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json.jobId as string;
    // Wait until some chunks are written, then crash.
    await waitFor(
      async () => {
        const status = await rawRequest(server, { path: `/backup/${jobId}/pending?${V}`, token });
        assert.equal(status.json.status, "InProgress", "the backup must still be running when it is killed");
        return /Writing backup: [3-9] of/.test(String(status.json.statusDetails));
      },
      { what: "the backup to make progress (its third chunk)", timeoutMs: 60_000, intervalMs: 100 },
    );
    await server.kill();
    proxy.delayMs = 0;

    server = await startServerProcess({ dataDir: server.dataDir });
    token = await adminToken(server);
    const after = await rawRequest(server, { path: `/backup/${jobId}/pending?${V}`, token });
    assert.equal(after.json.status, "Failed", after.text);
    assert.equal(after.json.error.code, "JobInterrupted");

    const partial = new Map<string, string[]>();
    for await (const blob of azurite.service.getContainerClient("scale").listBlobsFlat()) {
      const [folder, ...rest] = blob.name.split("/");
      partial.set(folder as string, [...(partial.get(folder as string) ?? []), rest.join("/")]);
    }
    const dead = [...partial.entries()].filter(([, blobs]) => !blobs.includes("manifest.json"));
    assert.equal(dead.length, 1, "the killed backup left one folder without a manifest");
    assert.ok((dead[0]?.[1].length ?? 0) >= 3, "with chunks in it");
    const refused = await waitForJob(
      server,
      token,
      await rawRequest(server, {
        method: "PUT",
        path: `/restore?${V}`,
        token,
        body: {
          sasTokenParameters: { storageResourceUri: containerUrl, token: sas },
          folderToRestore: dead[0]?.[0],
        },
      }),
    );
    assert.equal(refused.json.status, "Failed");
    assert.match(refused.json.error.message, /no backup manifest/);
    assert.equal(await keyStatus(keyName(42)), 200, "the HSM kept its keys");

    const again = await rawRequest(server, {
      method: "POST",
      path: `/backup?${V}`,
      token,
      body: { storageResourceUri: containerUrl, token: sas },
    });
    assert.equal(again.status, 202, again.text);
    assert.equal((await waitForJob(server, token, again, 300_000)).json.status, "Succeeded");
  });
});
