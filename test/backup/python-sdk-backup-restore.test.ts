import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

describe("official Python SDK (KeyVaultBackupClient) backup and restore with Azurite", () => {
  let azurite: Azurite;
  let server: ServerProcess;
  let containerUrl: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;

  before(async () => {
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("backups");
    server = await startServerProcess({ args: ["--hsm-name", "pyhsm"] });
    out = await runPython(
      join(import.meta.dirname, "python/backup_restore_readme.py"),
      server,
      server.admin,
      {
        CONTAINER_URL: containerUrl,
        SAS_TOKEN: azurite.sas("backups"),
      },
    );
  });
  after(async () => {
    await server?.dispose();
    await azurite?.stop();
  });

  it("backs up into a new folder mhsm-<hsm name>-<timestamp> of the container", async () => {
    assert.equal(out.backup_status, "Succeeded");
    assert.match(out.folder_url, new RegExp(`^${containerUrl}/mhsm-pyhsm-\\d{16}$`));
    const folder = out.folder_url.slice(containerUrl.length + 1);
    const blobs: string[] = [];
    for await (const blob of azurite.service
      .getContainerClient("backups")
      .listBlobsFlat({ prefix: `${folder}/` })) {
      blobs.push(blob.name.slice(folder.length + 1));
    }
    assert.ok(blobs.includes("manifest.json"), blobs.join(", "));
    assert.ok(blobs.some((name) => name.startsWith("data/")));
  });

  it("resumes polling from the poller's continuation token", () => {
    assert.equal(out.resumed_folder_url, out.folder_url);
  });

  it("restores the HSM as it was at backup time: later changes are gone, deleted roles are back", () => {
    assert.equal(out.restore_status, "Succeeded");
    assert.notDeepEqual(out.roles_before_restore, out.roles_at_backup, "the HSM changed after the backup");
    assert.deepEqual(out.roles_after_restore, out.roles_at_backup);
    assert.deepEqual(out.assignments_after_restore, out.assignments_at_backup);
  });
});
