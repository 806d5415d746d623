import type { HttpClient } from "@azure/core-rest-pipeline";
import { ClientSecretCredential, EnvironmentCredential, type TokenCredential } from "@azure/identity";
import { CliError } from "../cli-error.js";
import { type AdminFile, authorityHostOf } from "./admin-file.js";

/** Microsoft Entra ID's authority hosts: @azure/identity validates these through instance discovery. */
const ENTRA_AUTHORITY_HOSTS = [
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.microsoftonline.de",
];

/**
 * Who the command acts as: the admin file's principal (a local server's embedded identity
 * provider), or the environment as @azure/identity's EnvironmentCredential reads it
 * (AZURE_TENANT_ID, AZURE_CLIENT_ID, then AZURE_CLIENT_SECRET or a certificate, and
 * AZURE_AUTHORITY_HOST). The secret is never copied anywhere else.
 */
export function credentialFor(
  admin: AdminFile | undefined,
  httpClient: HttpClient | undefined,
): TokenCredential {
  if (admin) {
    // Instance discovery would ask Entra ID about an authority it does not know.
    return new ClientSecretCredential(admin.tenantId, admin.clientId, admin.clientSecret, {
      authorityHost: authorityHostOf(admin),
      disableInstanceDiscovery: true,
      httpClient,
    });
  }
  if (!process.env.AZURE_TENANT_ID || !process.env.AZURE_CLIENT_ID) {
    throw new CliError(
      "NoCredentials",
      "no credentials: give --admin-file <data-dir>/initial-admin.json, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST for an identity provider other than Microsoft Entra ID)",
    );
  }
  return new EnvironmentCredential({
    disableInstanceDiscovery: !isEntraAuthority(process.env.AZURE_AUTHORITY_HOST),
    httpClient,
  });
}

function isEntraAuthority(authorityHost: string | undefined): boolean {
  if (!authorityHost) return true;
  try {
    return ENTRA_AUTHORITY_HOSTS.includes(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}
