// What the scripts run by the tests share: their settings come from the environment, as a user's
// program would take them, and they reach the HSM with a client secret.
import { ClientSecretCredential } from "@azure/identity";

export const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

export const vaultUrl = env("MHSM_VAULT_URL");
export const credential = new ClientSecretCredential(
  env("AZURE_TENANT_ID"),
  env("AZURE_CLIENT_ID"),
  env("AZURE_CLIENT_SECRET"),
  { authorityHost: vaultUrl, disableInstanceDiscovery: true },
);
