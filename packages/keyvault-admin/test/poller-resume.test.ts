import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BackupFixture, type Container, startBackupFixture } from "./support/backup-fixture.js";
import { runNode } from "./support/child-node.js";

const SCRIPT = join(import.meta.dirname, "scripts", "backup-poller.ts");

describe("a backup poller resumed in another process", () => {
  let fixture: BackupFixture;
  let container: Container;
  let env: Record<string, string>;

  before(async () => {
    fixture = await startBackupFixture();
    container = await fixture.createContainer();
    const { server } = fixture;
    env = {
      NODE_EXTRA_CA_CERTS: server.admin.caFile,
      MHSM_VAULT_URL: server.url,
      AZURE_TENANT_ID: server.admin.tenantId,
      AZURE_CLIENT_ID: server.admin.clientId,
      AZURE_CLIENT_SECRET: server.admin.clientSecret,
      BLOB_STORAGE_URI: container.uri,
      BLOB_SAS_TOKEN: container.sasToken,
    };
  });
  after(() => fixture?.dispose());

  it("picks up the job from poller.toString() and waits for its result", async () => {
    const started = await runNode(SCRIPT, env, { args: ["start"] }).then((run) => {
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as { jobId: string; serialized: string };
    });
    assert.match(started.jobId, /\S/);

    const resumed = await runNode(
      SCRIPT,
      { ...env, POLLER_STATE: started.serialized },
      { args: ["resume"] },
    ).then((run) => {
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as {
        jobIdBeforePolling: string;
        jobId: string;
        result: { folderUri: string };
      };
    });
    assert.equal(
      resumed.jobIdBeforePolling,
      started.jobId,
      "the resumed poller knows the job before it polls",
    );
    assert.equal(resumed.jobId, started.jobId);
    assert.ok(resumed.result.folderUri.startsWith(`${container.uri}/mhsm-`));

    const folder = resumed.result.folderUri.slice(container.uri.length + 1);
    let blobs = 0;
    for await (const _blob of container.client.listBlobsFlat({ prefix: `${folder}/` })) blobs++;
    assert.ok(blobs > 0, "the backup the first process started is in storage");
  });
});
