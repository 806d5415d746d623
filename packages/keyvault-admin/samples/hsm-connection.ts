// Where the samples find the HSM and how they authenticate, from the environment:
//
//   AZURE_MANAGEDHSM_URI   the HSM's URL: https://<name>.managedhsm.azure.net, or an mhsm server's
//   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET   a service principal
//   AZURE_AUTHORITY_HOST   for mhsm: the server's URL (its embedded identity provider)
//
// For mhsm also set NODE_EXTRA_CA_CERTS to the server's CA file (caFile in initial-admin.json).
import type { TokenCredential } from "@azure/core-auth";
import { ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}.`);
  return value;
}

export interface HsmConnection {
  url: string;
  credential: TokenCredential;
  /** Client options: the challenge resource check stays on unless the URL cannot pass it. */
  options: { disableChallengeResourceVerification: boolean };
}

export function hsmConnection(): HsmConnection {
  const url = requiredEnv("AZURE_MANAGEDHSM_URI");
  const authorityHost = process.env["AZURE_AUTHORITY_HOST"];
  // An identity provider other than Microsoft Entra ID (mhsm's own) is unknown to instance
  // discovery; DefaultAzureCredential covers everything else (environment, managed identity, CLI...).
  const credential = authorityHost
    ? new ClientSecretCredential(
        requiredEnv("AZURE_TENANT_ID"),
        requiredEnv("AZURE_CLIENT_ID"),
        requiredEnv("AZURE_CLIENT_SECRET"),
        { authorityHost, disableInstanceDiscovery: true },
      )
    : new DefaultAzureCredential();
  // A Managed HSM's host ends with its challenge's resource (managedhsm.azure.net); localhost or
  // an IP address never does.
  const { hostname } = new URL(url);
  const local = hostname === "localhost" || /^[\d.]+$|^\[.*\]$/.test(hostname);
  return { url, credential, options: { disableChallengeResourceVerification: local } };
}
