import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken, createPrincipal, tokenFor } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.6";
const DEFS = "/providers/Microsoft.Authorization/roleDefinitions";
const ROLE = {
  BACKUP_USER: "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8",
  CRYPTO_USER: "21dbd100-6940-42c2-9190-5d6cb909625b",
};

describe("backup and restore: wire, failures and guarantees", () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;
  let token: string;
  let containerUrl: string;
  let slowContainerUrl: string;
  let sas: string;

  const call = (method: string, path: string, body?: unknown, who = token) =>
    rawRequest(server, { method, path, token: who, body });
  const startBackup = (body: unknown, who = token) => call("POST", `/backup?${V}`, body, who);
  const startRestore = (
    folderUrl: string,
    extra: Record<string, unknown> = {},
    on = server,
    who?: string,
  ) => {
    const cut = folderUrl.lastIndexOf("/");
    return rawRequest(on, {
      method: "PUT",
      path: `/restore?${V}`,
      token: who ?? token,
      body: {
        sasTokenParameters: { storageResourceUri: folderUrl.slice(0, cut), token: sas, ...extra },
        folderToRestore: folderUrl.slice(cut + 1),
      },
    });
  };
  const preRestore = (folder: string) =>
    call("PUT", `/prerestore?${V}`, {
      sasTokenParameters: { storageResourceUri: containerUrl, token: sas },
      folderToRestore: folder,
    });
  const customRoles = async (on = server, who = token) =>
    (
      (await rawRequest(on, { path: `${DEFS}?${V}`, token: who })).json.value as Array<{
        name: string;
        properties: { type: string };
      }>
    )
      .filter((d) => d.properties.type === "CustomRole")
      .map((d) => d.name)
      .sort();
  const putRole = (name: string, on = server, who = token) =>
    rawRequest(on, {
      method: "PUT",
      path: `${DEFS}/${name}?${V}`,
      token: who,
      body: { properties: { roleName: name } },
    });
  async function backupNow(): Promise<string> {
    const accepted = await startBackup({ storageResourceUri: containerUrl, token: sas });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    return done.json.azureStorageBlobContainerUri as string;
  }

  before(async () => {
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("backups");
    proxy = await startDelayingProxy(azurite.port, 0);
    slowContainerUrl = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/backups`;
    sas = azurite.sas("backups");
    server = await startServerProcess({
      env: {
        MHSM_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT,
        MHSM_STORAGE_ACCOUNT_KEY: AZURITE_KEY,
        // The account's own endpoint: the only place the server signs with its key.
        MHSM_STORAGE_BLOB_ENDPOINT: azurite.accountUrl,
      },
    });
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("answers 202 with the job, Azure-AsyncOperation on the client's host and Retry-After", async () => {
    const accepted = await startBackup({ storageResourceUri: containerUrl, token: sas });
    assert.equal(accepted.status, 202, accepted.text);
    assert.deepEqual(Object.keys(accepted.json).sort(), [
      "azureStorageBlobContainerUri",
      "endTime",
      "error",
      "jobId",
      "startTime",
      "status",
      "statusDetails",
    ]);
    assert.equal(accepted.json.status, "InProgress");
    assert.equal(accepted.json.azureStorageBlobContainerUri, null);
    assert.equal(accepted.json.endTime, null);
    assert.ok(Math.abs(accepted.json.startTime - Date.now() / 1000) < 60);
    assert.equal(accepted.headers["retry-after"], "1");
    const statusUrl = new URL(String(accepted.headers["azure-asyncoperation"]));
    assert.equal(statusUrl.origin, server.url);
    assert.equal(statusUrl.pathname, `/backup/${accepted.json.jobId}/pending`);
    assert.equal(statusUrl.searchParams.get("api-version"), "7.6");
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded");
    assert.match(done.json.azureStorageBlobContainerUri, new RegExp(`^${containerUrl}/mhsm-mhsm-\\d{16}$`));
    assert.ok(done.json.endTime >= done.json.startTime);
    assert.equal(done.json.error, null);
  });

  it("refuses a malformed SAS on /backup at once with 400, and starts no job", async () => {
    for (const bad of ["not a sas", "sv=2021-08-06&sp=rwl&sig=abc", "?sv=x&se=not-a-date&sig=abc"]) {
      const response = await startBackup({ storageResourceUri: containerUrl, token: bad });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.json.error.code, "BadRequest");
      // The service's sentence (see platform/errors/key-vault-errors.ts, sasTokenMalformed).
      assert.match(
        response.json.error.message,
        /^The customer provided SAS token is malformed\. The SAS token\b/,
      );
      assert.ok(!response.text.includes("sig=abc"), "the token is not echoed");
    }
    const missing = await startBackup({ storageResourceUri: containerUrl });
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /SAS token .* is required unless useManagedIdentity/);
  });

  it("runs the SAS check of /prebackup as the job: 202, then Failed; a good one Succeeds", async () => {
    const malformed = await call("POST", `/prebackup?${V}`, {
      storageResourceUri: containerUrl,
      token: "sv=1&sig=x",
    });
    assert.equal(malformed.status, 202, malformed.text);
    const failed = await waitForJob(server, token, malformed);
    assert.equal(failed.json.status, "Failed");
    assert.equal(failed.json.error.code, "BadRequest");
    assert.match(failed.json.error.message, /malformed/);
    const readOnly = await waitForJob(
      server,
      token,
      await call("POST", `/prebackup?${V}`, {
        storageResourceUri: containerUrl,
        token: azurite.sas("backups", { permissions: "rl" }),
      }),
    );
    assert.equal(readOnly.json.status, "Failed");
    assert.equal(readOnly.json.error.code, "SasTokenPermissionMismatch");
    const good = await waitForJob(
      server,
      token,
      await call("POST", `/prebackup?${V}`, { storageResourceUri: containerUrl, token: sas }),
    );
    assert.equal(good.json.status, "Succeeded", good.text);
    assert.match(good.json.statusDetails, /can start/);
    assert.equal(good.json.azureStorageBlobContainerUri, null, "a pre-check backs nothing up");
  });

  it("fails a backup with the storage service's reason for an expired or read-only SAS", async () => {
    const expired = azurite.sas("backups", { expiresInSeconds: -60 });
    const expiredJob = await waitForJob(
      server,
      token,
      await startBackup({ storageResourceUri: containerUrl, token: expired }),
    );
    assert.equal(expiredJob.json.status, "Failed", expiredJob.text);
    assert.equal(expiredJob.json.error.code, "StorageError");
    // The storage service's own code and message (Azurite: AuthorizationFailure; Azure: AuthenticationFailed).
    assert.match(
      expiredJob.json.error.message,
      /Azure Storage refused the request \(HTTP 403\): Auth\w+: \w+/,
    );
    const readOnly = await waitForJob(
      server,
      token,
      await startBackup({
        storageResourceUri: containerUrl,
        token: azurite.sas("backups", { permissions: "rl" }),
      }),
    );
    assert.equal(readOnly.json.status, "Failed");
    assert.match(readOnly.json.error.message, /HTTP 403/);
    assert.ok(!readOnly.text.includes(sas.split("sig=")[1] as string), "no signature in the error");
  });

  it("backs up with the server's own storage identity (useManagedIdentity) and pre-checks it", async () => {
    const accepted = await startBackup({ storageResourceUri: containerUrl, useManagedIdentity: true });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    const pre = await waitForJob(
      server,
      token,
      await call("POST", `/prebackup?${V}`, { storageResourceUri: containerUrl, useManagedIdentity: true }),
    );
    assert.equal(pre.json.status, "Succeeded", pre.text);
  });

  it("allows one backup or restore at a time (409), pre-checks beside them", async () => {
    proxy.delayMs = 300;
    try {
      const first = await startBackup({ storageResourceUri: slowContainerUrl, token: sas });
      assert.equal(first.status, 202);
      const second = await startBackup({ storageResourceUri: containerUrl, token: sas });
      assert.equal(second.status, 409, second.text);
      assert.equal(second.json.error.code, "Conflict");
      assert.match(second.json.error.message, new RegExp(`backup job \\(${first.json.jobId}\\)`));
      const restore = await startRestore(`${containerUrl}/mhsm-mhsm-2020010100000000`);
      assert.equal(restore.status, 409);
      const pre = await call("POST", `/prebackup?${V}`, { storageResourceUri: containerUrl, token: sas });
      assert.equal(pre.status, 202, "pre-checks change nothing, so they may run beside a backup");
      proxy.delayMs = 0;
      assert.equal((await waitForJob(server, token, first)).json.status, "Succeeded");
    } finally {
      proxy.delayMs = 0;
    }
  });

  it("refuses a restore from a changed backup, a partial folder or a folder that is not a backup, changing nothing", async () => {
    assert.equal((await putRole("e0000000-0000-4000-8000-000000000001")).status, 201);
    const folderUrl = await backupNow();
    const folder = folderUrl.slice(containerUrl.length + 1);
    const container = azurite.service.getContainerClient("backups");
    const before = await customRoles();

    // Flip one byte of one chunk.
    const chunk = container.getBlockBlobClient(`${folder}/data/0000.bin`);
    const bytes = await chunk.downloadToBuffer();
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0xff;
    await chunk.uploadData(bytes);
    const tampered = await waitForJob(server, token, await startRestore(folderUrl));
    assert.equal(tampered.json.status, "Failed");
    assert.equal(tampered.json.error.code, "InvalidBackup");
    assert.match(tampered.json.error.message, /changed: data\/0000\.bin/);

    // A manifest whose numbers were edited fails its MAC.
    const manifestBlob = container.getBlockBlobClient(`${folder}/manifest.json`);
    const manifest = JSON.parse((await manifestBlob.downloadToBuffer()).toString());
    manifest.counts.role_definitions = 99;
    await manifestBlob.uploadData(Buffer.from(JSON.stringify(manifest)));
    const forged = await waitForJob(server, token, await startRestore(folderUrl));
    assert.match(forged.json.error.message, /manifest failed authentication/);

    // No manifest: an unfinished backup.
    await manifestBlob.delete();
    const partial = await waitForJob(server, token, await startRestore(folderUrl));
    assert.match(partial.json.error.message, /no backup manifest/);
    const pre = await waitForJob(server, token, await preRestore(folder));
    assert.equal(pre.json.status, "Failed");
    assert.match(pre.json.error.message, /no backup manifest/);

    assert.deepEqual(await customRoles(), before, "nothing changed");
    assert.equal(
      (await rawRequest(server, { path: `${DEFS}?${V}`, token })).status,
      200,
      "the HSM stays usable",
    );
  });

  it("pre-checks a good restore without changing anything", async () => {
    const folderUrl = await backupNow();
    assert.equal((await putRole("e0000000-0000-4000-8000-000000000002")).status, 201);
    const before = await customRoles();
    const folder = folderUrl.slice(containerUrl.length + 1);
    const pre = await waitForJob(server, token, await preRestore(folder));
    assert.equal(pre.json.status, "Succeeded", pre.text);
    assert.match(pre.json.statusDetails, /can be restored/);
    assert.ok(!("azureStorageBlobContainerUri" in pre.json), "restore jobs have the RestoreOperation shape");
    assert.deepEqual(await customRoles(), before);
  });

  it("answers data-plane calls with 503 RestoreInProgress while a full restore runs; status stays readable", async () => {
    const folderUrl = await backupNow();
    proxy.delayMs = 400;
    try {
      const slowFolderUrl = `${slowContainerUrl}/${folderUrl.slice(containerUrl.length + 1)}`;
      const accepted = await startRestore(slowFolderUrl);
      assert.equal(accepted.status, 202, accepted.text);
      const during = await rawRequest(server, { path: `${DEFS}?${V}`, token });
      assert.equal(during.status, 503, during.text);
      assert.equal(during.json.error.code, "RestoreInProgress");
      assert.ok(during.headers["retry-after"]);
      const statusUrl = String(accepted.headers["azure-asyncoperation"]);
      const status = await rawRequest(server, { path: statusUrl.slice(server.url.length), token });
      assert.equal(status.status, 200);
      assert.equal(status.json.status, "InProgress");
      proxy.delayMs = 0;
      assert.equal((await waitForJob(server, token, accepted)).json.status, "Succeeded");
      assert.equal((await rawRequest(server, { path: `${DEFS}?${V}`, token })).status, 200);
    } finally {
      proxy.delayMs = 0;
    }
  });

  it("restores into a second server that shares the domain key, and refuses one that does not", async () => {
    assert.equal((await putRole("e0000000-0000-4000-8000-000000000003")).status, 201);
    const folderUrl = await backupNow();
    const rolesAtBackup = await customRoles();

    const sharedDir = await mkdtemp(join(tmpdir(), "mhsm-shared-domain-"));
    await copyFile(join(server.dataDir, "domain.key"), join(sharedDir, "domain.key"));
    const twin = await startServerProcess({ dataDir: sharedDir });
    const stranger = await startServerProcess();
    try {
      const twinToken = await adminToken(twin);
      const restored = await waitForJob(twin, twinToken, await startRestore(folderUrl, {}, twin, twinToken));
      assert.equal(restored.json.status, "Succeeded", restored.text);
      // The twin's own initial administrator keeps its role (and so sees its job finish).
      assert.deepEqual(await customRoles(twin, twinToken), rolesAtBackup);
      // The backup brought the first HSM's principals: its admin signs in on the twin and is admin there.
      const firstAdminOnTwin = await tokenFor(twin, server.admin);
      assert.deepEqual(await customRoles(twin, firstAdminOnTwin), rolesAtBackup);

      const strangerToken = await adminToken(stranger);
      const refused = await waitForJob(
        stranger,
        strangerToken,
        await startRestore(folderUrl, {}, stranger, strangerToken),
      );
      assert.equal(refused.json.status, "Failed");
      assert.equal(refused.json.error.code, "SecurityDomainMismatch");
      assert.match(refused.json.error.message, /different security domain/);
      assert.deepEqual(await customRoles(stranger, strangerToken), []);
    } finally {
      await twin.dispose();
      await stranger.dispose();
    }
  });

  it("backs up to and restores from a local folder inside the allowed roots, and only there", async () => {
    const root = join(server.dataDir, "backups");
    await mkdir(root, { recursive: true });
    const rootUrl = pathToFileURL(root).href;
    const accepted = await startBackup({ storageResourceUri: rootUrl });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.ok(done.json.azureStorageBlobContainerUri.startsWith(`${rootUrl}/mhsm-mhsm-`));
    assert.equal((await putRole("e0000000-0000-4000-8000-000000000004")).status, 201);
    const restored = await waitForJob(
      server,
      token,
      await startRestore(done.json.azureStorageBlobContainerUri),
    );
    assert.equal(restored.json.status, "Succeeded", restored.text);
    assert.ok(!(await customRoles()).includes("e0000000-0000-4000-8000-000000000004"));

    const outside = await startBackup({ storageResourceUri: pathToFileURL(tmpdir()).href });
    assert.equal(outside.status, 400);
    assert.match(outside.json.error.message, /not inside a backup root/);
    const http = await startBackup({ storageResourceUri: "http://storage.example.com/backups", token: sas });
    assert.equal(http.status, 400);
    assert.match(http.json.error.message, /plain http/);
  });

  it("answers 404 for unknown jobs and for a job asked under the other family", async () => {
    const accepted = await startBackup({ storageResourceUri: containerUrl, token: sas });
    await waitForJob(server, token, accepted);
    assert.equal((await call("GET", `/restore/${accepted.json.jobId}/pending?${V}`)).status, 404);
    const unknown = await call("GET", `/backup/${"0".repeat(32)}/pending?${V}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, "JobNotFound");
  });

  it("lets a Backup User back up but not restore, and a Crypto User do neither", async () => {
    const backupUser = await createPrincipal(server, "backup-user");
    const cryptoUser = await createPrincipal(server, "crypto-user");
    for (const [principal, role] of [
      [backupUser, ROLE.BACKUP_USER],
      [cryptoUser, ROLE.CRYPTO_USER],
    ] as const) {
      const assigned = await call(
        "PUT",
        `/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?${V}`,
        {
          properties: { roleDefinitionId: role, principalId: principal.objectId },
        },
      );
      assert.equal(assigned.status, 201, assigned.text);
    }
    const byBackupUser = await startBackup(
      { storageResourceUri: containerUrl, token: sas },
      backupUser.token,
    );
    assert.equal(byBackupUser.status, 202, byBackupUser.text);
    const status = await waitForJob(server, backupUser.token, byBackupUser);
    assert.equal(status.json.status, "Succeeded", "and read its status");
    const folderUrl = status.json.azureStorageBlobContainerUri as string;
    assertForbidden(await startRestore(folderUrl, {}, server, backupUser.token), "restore/start/action");
    assertForbidden(
      await startBackup({ storageResourceUri: containerUrl, token: sas }, cryptoUser.token),
      "backup/start/action",
    );
    assertForbidden(await startRestore(folderUrl, {}, server, cryptoUser.token), "restore/start/action");
  });
});

function assertForbidden(response: RawResponse, action: string) {
  assert.equal(response.status, 403, response.text);
  assert.match(response.json.error.message, new RegExp(`managedHsm/${action} on /`));
}
