import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type KeyVaultAccessControlClient,
  type KeyVaultAdminPollOperationState,
  type KeyVaultBackupClient,
  type KeyVaultBackupResult,
  isRestError,
} from "@mhsm/keyvault-admin";
import { AbortError } from "@azure/abort-controller";
import { KeyClient } from "@azure/keyvault-keys";
import { httpClientTrusting } from "../../../test/harness/js-sdk.js";
import { adminClients, credentialFor } from "./support/admin-clients.js";
import { type BackupFixture, type Container, startBackupFixture } from "./support/backup-fixture.js";

const definitionId = (name: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${name}`;
const CRYPTO_USER_ID = definitionId("21dbd100-6940-42c2-9190-5d6cb909625b");
const CRYPTO_OFFICER_ID = definitionId("515eb02d-2335-4d2d-92f2-b1cbdf9c3778");
/** Short polls when the service does not say otherwise; the server's Retry-After governs. */
const FAST = { intervalInMs: 200 };

async function blobNames(container: Container, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.client.listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => error as Error,
  );
}

describe("KeyVaultBackupClient against mhsm and Azurite", () => {
  let fixture: BackupFixture;
  let backup: KeyVaultBackupClient;
  let accessControl: KeyVaultAccessControlClient;
  let container: Container;

  before(async () => {
    fixture = await startBackupFixture();
    ({ backup, accessControl } = adminClients(fixture.server));
    container = await fixture.createContainer();
  });
  after(() => fixture?.dispose());

  it("beginBackup with a SAS token starts the job before resolving, reports progress and resolves with the folder", async () => {
    const poller = await backup.beginBackup(container.uri, container.sasToken, FAST);
    const started = poller.getOperationState();
    assert.equal(started.isStarted, true);
    assert.match(started.jobId ?? "", /\S/, "the job's id is known before any poll");
    assert.ok(started.startTime instanceof Date);

    const progress: KeyVaultAdminPollOperationState<KeyVaultBackupResult>[] = [];
    poller.onProgress((state) => progress.push(state));
    const result = await poller.pollUntilDone();

    assert.ok(progress.length >= 1, "onProgress is called after each poll");
    assert.equal(progress.at(-1)?.status, "Succeeded");
    assert.equal(progress.at(-1)?.jobId, started.jobId);
    assert.ok(result.folderUri?.startsWith(`${container.uri}/mhsm-`), result.folderUri);
    assert.ok(result.startTime instanceof Date && result.endTime instanceof Date);
    assert.ok(result.endTime >= result.startTime);
    assert.equal(poller.isDone(), true);
    assert.deepEqual(poller.getResult(), result);
    const done = poller.getOperationState();
    assert.equal(done.isCompleted, true);
    assert.equal(done.status, "Succeeded");
    assert.equal(done.error, undefined);

    const folder = (result.folderUri as string).slice(container.uri.length + 1);
    assert.ok(
      (await blobNames(container, `${folder}/`)).length > 0,
      "the backup wrote blobs into its folder",
    );
  });

  it("a malformed SAS token rejects beginBackup itself with the service's message", async () => {
    const error = await rejectionOf(backup.beginBackup(container.uri, "not-a-sas-token", FAST));
    assert.ok(isRestError(error));
    assert.equal(error.statusCode, 400);
    assert.match(error.message, /SAS token is malformed/);
  });

  it("beginBackup without a SAS token uses the server's own storage identity", async () => {
    const poller = await backup.beginBackup(container.uri, FAST);
    const result = await poller.pollUntilDone();
    assert.ok(result.folderUri?.startsWith(`${container.uri}/mhsm-`));
  });

  it("a failed job rejects pollUntilDone with the service's message and reports Failed", async () => {
    // The pre-backup checks the token as its job: 202, then Failed (WIRE.md).
    const poller = await backup.beginPreBackup(container.uri, "not-a-sas-token", FAST);
    const error = await rejectionOf(poller.pollUntilDone());
    assert.match(error.message, /SAS token is malformed/);
    const state = poller.getOperationState();
    assert.equal(state.status, "Failed");
    assert.equal(state.isCompleted, true);
    assert.match(state.error?.message ?? "", /SAS token is malformed/);
  });

  it("beginPreBackup and beginPreRestore check a backup and a restore without doing them", async () => {
    const preBackup = await backup.beginPreBackup(container.uri, container.sasToken, FAST);
    await preBackup.pollUntilDone();
    assert.equal(preBackup.getOperationState().status, "Succeeded");

    const { folderUri } = await (
      await backup.beginBackup(container.uri, container.sasToken, FAST)
    ).pollUntilDone();
    const preRestore = await backup.beginPreRestore(folderUri as string, container.sasToken, FAST);
    const result = await preRestore.pollUntilDone();
    assert.ok(result.startTime instanceof Date);
    const preRestoreWithIdentity = await backup.beginPreRestore(folderUri as string, FAST);
    await preRestoreWithIdentity.pollUntilDone();
  });

  it("beginRestore puts back the role assignments of the backup", async () => {
    const assignment = await accessControl.createRoleAssignment(
      "/keys",
      randomUUID(),
      CRYPTO_USER_ID,
      randomUUID(),
    );
    const { folderUri } = await (
      await backup.beginBackup(container.uri, container.sasToken, FAST)
    ).pollUntilDone();
    await accessControl.deleteRoleAssignment("/keys", assignment.name);

    const restore = await backup.beginRestore(folderUri as string, container.sasToken, FAST);
    const result = await restore.pollUntilDone();
    assert.ok(result.endTime instanceof Date);
    assert.equal(restore.getOperationState().status, "Succeeded");
    assert.deepEqual(await accessControl.getRoleAssignment("/keys", assignment.name), assignment);
  });

  it("beginSelectiveKeyRestore brings back one deleted and purged key, with the HSM's identity too", async () => {
    const keys = new KeyClient(fixture.server.url, credentialFor(fixture.server), {
      httpClient: httpClientTrusting(fixture.server.ca),
      disableChallengeResourceVerification: true,
    });
    // As on a Managed HSM, the Administrator role has no key data actions: add the key roles.
    for (const role of [CRYPTO_USER_ID, CRYPTO_OFFICER_ID]) {
      await accessControl.createRoleAssignment("/keys", randomUUID(), role, fixture.server.admin.objectId);
    }
    const keyName = `restored-${randomUUID().slice(0, 8)}`;
    const created = await keys.createRsaKey(keyName, { keySize: 2048 });
    const { folderUri } = await (
      await backup.beginBackup(container.uri, container.sasToken, FAST)
    ).pollUntilDone();

    for (const useSas of [true, false]) {
      await (await keys.beginDeleteKey(keyName, FAST)).pollUntilDone();
      await keys.purgeDeletedKey(keyName);
      const poller = useSas
        ? await backup.beginSelectiveKeyRestore(keyName, folderUri as string, container.sasToken, FAST)
        : await backup.beginSelectiveKeyRestore(keyName, folderUri as string, FAST);
      const result = await poller.pollUntilDone();
      assert.ok(result.startTime instanceof Date);
      assert.equal(poller.getOperationState().status, "Succeeded");
      const restored = await keys.getKey(keyName);
      assert.equal(restored.id, created.id);
      assert.deepEqual(restored.key?.n, created.key?.n);
    }
  });

  it("resumes from toString() without starting another job; the string holds no SAS token", async () => {
    const poller = await backup.beginBackup(container.uri, container.sasToken, FAST);
    const serialized = poller.toString();
    const signature = new URLSearchParams(container.sasToken).get("sig") as string;
    assert.ok(!serialized.includes(signature), "toString() must not carry the SAS signature");

    const resumed = await backup.beginBackup(container.uri, container.sasToken, {
      ...FAST,
      resumeFrom: serialized,
    });
    assert.equal(resumed.getOperationState().isStarted, true);
    assert.equal(resumed.getOperationState().jobId, poller.getOperationState().jobId);
    const [fromResumed, fromOriginal] = await Promise.all([resumed.pollUntilDone(), poller.pollUntilDone()]);
    assert.deepEqual(fromResumed, fromOriginal);
  });

  it("an abortSignal given to begin* aborts its request with @azure/abort-controller's AbortError", async () => {
    // Callers test `instanceof AbortError`, as with @azure/keyvault-admin: the name alone is not enough.
    const abortSignal = AbortSignal.abort();
    for (const begin of [
      () => backup.beginBackup(container.uri, container.sasToken, { abortSignal }),
      () => backup.beginRestore(`${container.uri}/mhsm-backup`, container.sasToken, { abortSignal }),
      () =>
        backup.beginSelectiveKeyRestore("k", `${container.uri}/mhsm-backup`, container.sasToken, {
          abortSignal,
        }),
    ]) {
      const error = await rejectionOf(begin());
      assert.ok(error instanceof AbortError, `${error.name}: ${error.message}`);
    }
  });

  it("an aborted pollUntilDone stops the poller; a poller resumed from it finishes the job", async () => {
    const poller = await backup.beginBackup(container.uri, container.sasToken, FAST);
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(poller.pollUntilDone({ abortSignal: controller.signal }));
    assert.ok(error instanceof AbortError, `${error.name}: ${error.message}`);
    assert.equal(poller.isStopped(), true);

    const resumed = await backup.beginBackup(container.uri, container.sasToken, {
      ...FAST,
      resumeFrom: poller.toString(),
    });
    const result = await resumed.pollUntilDone();
    assert.ok(result.folderUri);
  });

  it("stopPolling stops pollUntilDone; the job goes on", async () => {
    const poller = await backup.beginBackup(container.uri, container.sasToken, FAST);
    const waiting = poller.pollUntilDone();
    poller.stopPolling();
    assert.ok((await rejectionOf(waiting)) instanceof AbortError);
    assert.equal(poller.isStopped(), true);
    const resumed = await backup.beginBackup(container.uri, { resumeFrom: poller.toString(), ...FAST });
    assert.ok((await resumed.pollUntilDone()).folderUri);
  });

  it("waits as the service's Retry-After says, not the client's interval", { timeout: 60_000 }, async () => {
    // An hour between polls if Retry-After were ignored: the test would time out.
    const poller = await backup.beginBackup(container.uri, container.sasToken, { intervalInMs: 3_600_000 });
    assert.ok((await poller.pollUntilDone()).folderUri);
  });

  it("a folder URI without a folder name rejects beginRestore before any request", async () => {
    const error = await rejectionOf(backup.beginRestore(`${container.uri}/`, container.sasToken));
    assert.match(error.message, /missing the folder name/);
  });
});
