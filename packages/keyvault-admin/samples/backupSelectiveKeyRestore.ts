/**
 * @summary Creates a key, backs up the HSM, deletes and purges the key, then restores just that
 * key from the backup.
 *
 * Environment: see hsm-connection.ts, plus BLOB_STORAGE_URI and BLOB_STORAGE_SAS_TOKEN. The
 * principal needs, besides backup and restore, the key roles (Managed HSM Crypto User and Crypto
 * Officer): the Administrator role alone has no key data actions.
 */
import { KeyClient } from "@azure/keyvault-keys";
import { KeyVaultBackupClient } from "@mhsm/keyvault-admin";
import { hsmConnection, requiredEnv } from "./hsm-connection.js";

export async function main(): Promise<void> {
  const { url, credential, options } = hsmConnection();
  const backupClient = new KeyVaultBackupClient(url, credential, options);
  const keyClient = new KeyClient(url, credential, options);
  const blobStorageUri = requiredEnv("BLOB_STORAGE_URI");
  const sasToken = requiredEnv("BLOB_STORAGE_SAS_TOKEN");

  const keyName = `sample-key-${Date.now()}`;
  const key = await keyClient.createRsaKey(keyName);
  console.log("Created key:", key.id);

  const backupPoller = await backupClient.beginBackup(blobStorageUri, sasToken);
  const { folderUri } = await backupPoller.pollUntilDone();
  console.log("Backup folder:", folderUri);

  // A selective restore needs the key's name free: delete the key, then purge it.
  await (await keyClient.beginDeleteKey(keyName)).pollUntilDone();
  await keyClient.purgeDeletedKey(keyName);
  console.log("Deleted and purged key:", keyName);

  const restorePoller = await backupClient.beginSelectiveKeyRestore(keyName, folderUri!, sasToken);
  await restorePoller.pollUntilDone();
  const restored = await keyClient.getKey(keyName);
  console.log("Restored key:", restored.id);
}

main().catch((error: unknown) => {
  console.error("The sample failed:", error);
  process.exitCode = 1;
});
