import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ClientSecretCredential } from "@azure/identity";
import { KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import { CryptographyClient } from "@azure/keyvault-keys";
import { KeyVaultAccessControlClient, KeyVaultBackupClient } from "@mhsm/keyvault-admin";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { rawRequest } from "../harness/https-client.js";
import { httpClientTrusting } from "../harness/js-sdk.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const CRYPTO_USER =
  "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b";
const CRYPTO_OFFICER =
  "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
const FAST = { intervalInMs: 100 };

/**
 * Selective key restore over keys that exist, with @mhsm/keyvault-admin's
 * beginSelectiveKeyRestore (the public API of @azure/keyvault-admin) and @azure/keyvault-keys.
 */
describe("selective key restore over keys that exist (@mhsm/keyvault-admin)", () => {
  let azurite: Azurite;
  let server: ServerProcess;
  let keys: KeyClient;
  let backup: KeyVaultBackupClient;
  let credential: ClientSecretCredential;
  let containerUrl: string;
  let sas: string;
  let folderUri: string;
  let token: string;
  const options = () => ({
    httpClient: httpClientTrusting(server.ca),
    disableChallengeResourceVerification: true,
  });
  const digest = randomBytes(32);

  const sign = async (key: KeyVaultKey) =>
    (await new CryptographyClient(key, credential, options()).sign("RS256", digest)).result;
  const verifies = async (name: string, version: string, signature: Uint8Array) =>
    (
      await new CryptographyClient(await keys.getKey(name, { version }), credential, options()).verify(
        "RS256",
        digest,
        signature,
      )
    ).result;
  const versionsOf = async (name: string) => {
    const found: string[] = [];
    for await (const props of keys.listPropertiesOfKeyVersions(name)) found.push(props.version as string);
    return found.sort();
  };
  /** Restores one key; the job's id and, from its status URL, statusDetails. */
  const restore = async (name: string) => {
    const poller = await backup.beginSelectiveKeyRestore(name, folderUri, sas, FAST);
    const outcome = await poller.pollUntilDone().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    const jobId = poller.getOperationState().jobId as string;
    const status = await rawRequest(server, { path: `/restore/${jobId}/pending?api-version=7.5`, token });
    return {
      error: outcome,
      job: status.json as {
        status: string;
        statusDetails: string | null;
        error?: { code: string; message: string };
      },
    };
  };

  let rsa1: KeyVaultKey;
  let signatureBeforeBackup: Uint8Array;

  before(async () => {
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("selective-js");
    sas = azurite.sas("selective-js");
    server = await startServerProcess();
    token = await adminToken(server);
    credential = new ClientSecretCredential(
      server.admin.tenantId,
      server.admin.clientId,
      server.admin.clientSecret,
      {
        authorityHost: server.url,
        disableInstanceDiscovery: true,
        httpClient: httpClientTrusting(server.ca),
      },
    );
    keys = new KeyClient(server.url, credential, options());
    backup = new KeyVaultBackupClient(server.url, credential, options());
    const access = new KeyVaultAccessControlClient(server.url, credential, options());
    for (const role of [CRYPTO_USER, CRYPTO_OFFICER])
      await access.createRoleAssignment("/", randomUUID(), role, server.admin.objectId);

    // The JS SDK's own live test names its key "rsa1".
    rsa1 = await keys.createRsaKey("rsa1", { keySize: 2048, tags: { at: "backup" } });
    signatureBeforeBackup = await sign(rsa1);
    await keys.createEcKey("Mixed-Case", { curve: "P-256" });
    await keys.createEcKey("dozing", { curve: "P-256" });
    folderUri = (await (await backup.beginBackup(containerUrl, sas, FAST)).pollUntilDone())
      .folderUri as string;
  });
  after(async () => {
    await server?.dispose();
    await azurite?.stop();
  });

  it("over a live key: succeeds; a version created after the backup stays current; the old signature verifies", async () => {
    const later = await keys.createRsaKey("rsa1", { keySize: 2048, tags: { at: "after-backup" } });
    const { error, job } = await restore("rsa1");
    assert.equal(error, undefined, String(error));
    assert.equal(job.status, "Succeeded");
    assert.equal(
      job.statusDetails,
      "Number of successful key versions restored: 0, Number of key versions could not overwrite: 1",
    );
    assert.deepEqual(await versionsOf("rsa1"), [rsa1.properties.version, later.properties.version].sort());
    const current = await keys.getKey("rsa1");
    assert.equal(current.properties.version, later.properties.version);
    assert.deepEqual(current.properties.tags, { at: "after-backup" });
    assert.equal(await verifies("rsa1", rsa1.properties.version as string, signatureBeforeBackup), true);
  });

  it("names the key in any case, as key names are case-insensitive", async () => {
    const before = await versionsOf("rsa1");
    const { error, job } = await restore("RSA1");
    assert.equal(error, undefined, String(error));
    assert.equal(job.status, "Succeeded");
    assert.deepEqual(await versionsOf("rsa1"), before);
  });

  it("over a soft-deleted key: succeeds, and the key stays deleted until recovered", async () => {
    const versions = await versionsOf("dozing");
    await (await keys.beginDeleteKey("dozing", FAST)).pollUntilDone();
    const { error, job } = await restore("dozing");
    assert.equal(error, undefined, String(error));
    assert.match(job.statusDetails ?? "", /Key 'dozing' is deleted in this HSM, so nothing was restored/);
    await assert.rejects(keys.getKey("dozing"), (e: { statusCode?: number }) => e.statusCode === 404);
    assert.equal((await keys.getDeletedKey("dozing")).name, "dozing");
    await (await keys.beginRecoverDeletedKey("dozing", FAST)).pollUntilDone();
    assert.deepEqual(await versionsOf("dozing"), versions);
  });

  it("refuses to add the backup's versions to a key made anew under another spelling, changing nothing", async () => {
    await (await keys.beginDeleteKey("Mixed-Case", FAST)).pollUntilDone();
    await keys.purgeDeletedKey("Mixed-Case");
    const anew = await keys.createEcKey("mixed-case", { curve: "P-256" });
    const { error, job } = await restore("Mixed-Case");
    assert.ok(error, "pollUntilDone rejects");
    assert.equal(job.status, "Failed");
    assert.equal(job.error?.code, "Conflict");
    assert.match(job.error?.message ?? "", /spelled differently from the backup's 'Mixed-Case'/);
    assert.deepEqual(await versionsOf("mixed-case"), [anew.properties.version]);
  });

  it("fails for a key the backup does not hold, with the job's error", async () => {
    const { error, job } = await restore("not-in-backup");
    assert.match(String(error?.message), /Key 'not-in-backup' is not in the backup\./);
    assert.equal(job.status, "Failed");
    assert.equal(job.error?.code, "KeyNotFound");
  });
});
