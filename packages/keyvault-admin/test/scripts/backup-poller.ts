// Run by poller-resume.test.ts in two separate processes, as a user would run two programs
// (NODE_EXTRA_CA_CERTS trusts the server's CA): `start` begins a backup and prints its poller's
// toString(); `resume` picks that string up and waits for the job. Prints one JSON document.
import { KeyVaultBackupClient } from "@mhsm/keyvault-admin";
import { credential, env, vaultUrl } from "./script-connection.js";

const client = new KeyVaultBackupClient(vaultUrl, credential, { disableChallengeResourceVerification: true });
const blobStorageUri = env("BLOB_STORAGE_URI");
const sasToken = env("BLOB_SAS_TOKEN");

if (process.argv[2] === "start") {
  const poller = await client.beginBackup(blobStorageUri, sasToken);
  console.log(JSON.stringify({ jobId: poller.getOperationState().jobId, serialized: poller.toString() }));
} else if (process.argv[2] === "resume") {
  const poller = await client.beginBackup(blobStorageUri, sasToken, {
    resumeFrom: env("POLLER_STATE"),
    intervalInMs: 200,
  });
  const jobIdBeforePolling = poller.getOperationState().jobId;
  const result = await poller.pollUntilDone();
  console.log(JSON.stringify({ jobIdBeforePolling, jobId: poller.getOperationState().jobId, result }));
} else {
  throw new Error("usage: backup-poller.ts start|resume");
}
