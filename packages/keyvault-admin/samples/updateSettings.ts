/**
 * @summary Lists a Managed HSM's account settings, then updates one.
 *
 * Environment: see hsm-connection.ts.
 */
import { KeyVaultSettingsClient, isBooleanSetting } from "@mhsm/keyvault-admin";
import { hsmConnection } from "./hsm-connection.js";

export async function main(): Promise<void> {
  const { url, credential, options } = hsmConnection();
  const client = new KeyVaultSettingsClient(url, credential, options);

  const { settings } = await client.getSettings();
  for (const setting of settings) console.log(`${setting.name} = ${String(setting.value)} (${setting.kind})`);

  const setting = await client.getSetting("AllowKeyManagementOperationsThroughARM");
  if (!isBooleanSetting(setting)) throw new Error(`${setting.name} is not a boolean setting`);
  // Update the value and pass the setting back to updateSetting:
  setting.value = true;
  const updated = await client.updateSetting(setting);
  console.log(`${updated.name} is now ${String(updated.value)}`);
}

main().catch((error: unknown) => {
  console.error("The sample failed:", error);
  process.exitCode = 1;
});
