/**
 * @summary Backs up a Managed HSM to a blob container, then restores the HSM from that backup.
 *
 * Environment: see hsm-connection.ts, plus BLOB_STORAGE_URI (a blob container's URL) and
 * BLOB_STORAGE_SAS_TOKEN (a SAS token for it with read, write, list and create permissions).
 * A full restore replaces all keys and role assignments of the HSM with those of the backup.
 */
import { KeyVaultBackupClient } from "@mhsm/keyvault-admin";
import { hsmConnection, requiredEnv } from "./hsm-connection.js";

export async function main(): Promise<void> {
  const { url, credential, options } = hsmConnection();
  const client = new KeyVaultBackupClient(url, credential, options);
  const blobStorageUri = requiredEnv("BLOB_STORAGE_URI");
  const sasToken = requiredEnv("BLOB_STORAGE_SAS_TOKEN");

  const backupPoller = await client.beginBackup(blobStorageUri, sasToken);
  backupPoller.onProgress((state) => console.log(`Backup ${state.jobId}: ${state.status}`));
  const backupResult = await backupPoller.pollUntilDone();
  console.log("Backup folder:", backupResult.folderUri);

  const restorePoller = await client.beginRestore(backupResult.folderUri!, sasToken);
  restorePoller.onProgress((state) => console.log(`Restore ${state.jobId}: ${state.status}`));
  const restoreResult = await restorePoller.pollUntilDone();
  console.log("Restore finished at:", restoreResult.endTime?.toISOString());
}

main().catch((error: unknown) => {
  console.error("The sample failed:", error);
  process.exitCode = 1;
});
