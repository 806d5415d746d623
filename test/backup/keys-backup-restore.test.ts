import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

describe("keys through backup, full restore and selective restore (official Python SDKs)", () => {
  let azurite: Azurite;
  let server: ServerProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;

  before(async () => {
    azurite = await startAzurite();
    const containerUrl = await azurite.createContainer("keys");
    server = await startServerProcess();
    out = await runPython(join(import.meta.dirname, "python/keys_backup_restore.py"), server, server.admin, {
      CONTAINER_URL: containerUrl,
      SAS_TOKEN: azurite.sas("keys"),
      MHSM_OBJECT_ID: server.admin.objectId,
    });
  });
  after(async () => {
    await server?.dispose();
    await azurite?.stop();
  });

  it("brings back every key with all versions, tags, enabled state and soft-deleted state", () => {
    const atBackup = out.at_backup;
    assert.equal(atBackup.live.signer.versions.length, 2);
    assert.deepEqual(atBackup.deleted, ["gone"]);
    assert.notDeepEqual(out.before_restore, atBackup, "the HSM changed after the backup");
    assert.deepEqual(out.after_restore, atBackup);
    assert.equal(out.after_restore.live.disabled.enabled, false);
    assert.deepEqual(out.after_restore.live.tagged.tags, { team: "payments" });
  });

  it("keeps the key material: a signature made before the backup verifies after the restore", () => {
    assert.equal(out.signature_verifies_after_restore, true);
  });

  it("restores one purged key with all its versions and changes nothing else", () => {
    const selective = out.after_selective;
    assert.deepEqual(selective.live.signer.versions, out.at_backup.live.signer.versions);
    assert.ok(selective.live["created-later"], "a key created after the backup stays");
    assert.deepEqual(
      Object.keys(selective.live).sort(),
      [...Object.keys(out.at_backup.live), "created-later"].sort(),
    );
  });

  it("restores over a key that exists without changing it, and refuses a key the backup lacks", () => {
    assert.deepEqual(out.after_selective_again, out.after_selective);
    assert.match(out.selective_missing.message, /not in the backup/);
  });
});
