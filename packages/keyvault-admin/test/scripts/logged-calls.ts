// Run by logging.test.ts with AZURE_LOG_LEVEL=info: a few calls whose log must show the
// requests and responses but no secret. With BLOB_STORAGE_URI set, also a backup with a SAS token.
import {
  KeyVaultAccessControlClient,
  KeyVaultBackupClient,
  KeyVaultSettingsClient,
} from "@mhsm/keyvault-admin";
import { credential, env, vaultUrl } from "./script-connection.js";

const options = { disableChallengeResourceVerification: true };

const accessControl = new KeyVaultAccessControlClient(vaultUrl, credential, options);
for await (const definition of accessControl.listRoleDefinitions("/")) void definition;
await new KeyVaultSettingsClient(vaultUrl, credential, options).getSettings();

if (process.env.BLOB_STORAGE_URI) {
  const backup = new KeyVaultBackupClient(vaultUrl, credential, options);
  const poller = await backup.beginBackup(process.env.BLOB_STORAGE_URI, env("BLOB_SAS_TOKEN"), {
    intervalInMs: 200,
  });
  await poller.pollUntilDone();
}
console.log("done");
