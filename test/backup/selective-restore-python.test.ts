import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

/**
 * Selective key restore while the key exists, through the official Python SDK and the seed
 * README's `begin_restore(folder_url, sas, key_name=...)`, as the SDK's own live test
 * (test_selective_key_restore) runs it against a Managed HSM.
 */
describe("selective key restore over keys that exist (official Python SDK)", () => {
  let azurite: Azurite;
  let server: ServerProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;
  let token: string;

  /** The job as the status URL the SDK polled reports it. */
  const job = async (statusUrl: string) => {
    const response = await rawRequest(server, {
      path: new URL(statusUrl).pathname + "?api-version=7.5",
      token,
    });
    assert.equal(response.status, 200, response.text);
    return response.json as { status: string; statusDetails: string };
  };

  before(async () => {
    azurite = await startAzurite();
    const containerUrl = await azurite.createContainer("selective");
    server = await startServerProcess();
    token = await adminToken(server);
    const keyUser = await createPrincipal(server, "signer-only");
    out = await runPython(
      join(import.meta.dirname, "python/selective_restore_over_existing.py"),
      server,
      server.admin,
      {
        CONTAINER_URL: containerUrl,
        SAS_TOKEN: azurite.sas("selective"),
        MHSM_OBJECT_ID: server.admin.objectId,
        KEY_USER_OBJECT_ID: keyUser.objectId,
        KEY_USER_CLIENT_ID: keyUser.clientId,
        KEY_USER_CLIENT_SECRET: keyUser.clientSecret,
      },
    );
  });
  after(async () => {
    await server?.dispose();
    await azurite?.stop();
  });

  it("succeeds over a live key and keeps what the HSM has: versions, current version, tags, rotation policy", async () => {
    const before = out.signer_before_restore;
    assert.deepEqual(Object.keys(before.versions).sort(), [out.signer_v1, out.signer_v2].sort());
    assert.equal(before.current, out.signer_v2, "a version created after the backup is current");
    assert.deepEqual(before.versions[out.signer_v1].tags, { stage: "edited-after-backup" });
    assert.equal(before.rotation_expires_in, "P60D");
    assert.deepEqual(out.signer_after_restore, before, "nothing of the key changed");
    const restored = await job(out.signer_status_url);
    assert.equal(restored.status, "Succeeded");
    assert.equal(
      restored.statusDetails,
      "Number of successful key versions restored: 0, Number of key versions could not overwrite: 1",
    );
  });

  it("keeps the key material: a signature made before the backup verifies after the restore", () => {
    assert.equal(out.signature_v1_verifies_after, true);
  });

  it("keeps a key-scoped role assignment working", () => {
    assert.equal(out.key_user_signs_before, true);
    assert.equal(out.key_user_signs_after, true);
  });

  it("brings back the backup's versions of a key purged and made anew, beside the new one, which stays current", async () => {
    const after = out.twice_after_restore;
    assert.deepEqual(Object.keys(after.versions).sort(), [...out.twice_at_backup, out.twice_v3].sort());
    assert.equal(after.current, out.twice_v3);
    assert.equal(out.twice_signature_verifies_after, true);
    const restored = await job(out.twice_status_url);
    assert.equal(restored.status, "Succeeded");
    assert.equal(
      restored.statusDetails,
      "Number of successful key versions restored: 2, Number of key versions could not overwrite: 0",
    );
  });

  it("leaves a soft-deleted key deleted and unchanged, and says so in the job", async () => {
    assert.equal(out.sleeper_live_after_restore, false);
    assert.equal(out.sleeper_deleted_after_restore, "sleeper");
    assert.deepEqual(out.sleeper_after_recover, out.sleeper_at_backup);
    const restored = await job(out.sleeper_status_url);
    assert.equal(restored.status, "Succeeded");
    assert.match(
      restored.statusDetails,
      /^Number of successful key versions restored: 0, Number of key versions could not overwrite: 1\. /,
    );
    assert.match(
      restored.statusDetails,
      /Key 'sleeper' is deleted in this HSM, so nothing was restored: recover it, or purge it and restore again\./,
    );
  });

  it("fails the job for a key the backup does not hold", () => {
    assert.equal(out.missing.code, "KeyNotFound");
    assert.match(out.missing.message, /Key 'never-in-backup' is not in the backup\./);
  });
});
