import { ClientSecretCredential } from "@azure/identity";
import {
  KeyVaultAccessControlClient,
  KeyVaultBackupClient,
  KeyVaultSettingsClient,
  type AccessControlClientOptions,
} from "@mhsm/keyvault-admin";
import { httpClientTrusting } from "../../../../test/harness/js-sdk.js";
import type { InitialAdmin, ServerProcess } from "../../../../test/harness/server-process.js";

/** The credentials a client needs: the initial administrator's, or a principal's. */
export type Identity = Pick<InitialAdmin, "tenantId" | "clientId" | "clientSecret">;

/** A ClientSecretCredential pointed at the server's identity provider, trusting its CA. */
export function credentialFor(
  server: ServerProcess,
  identity: Identity = server.admin,
): ClientSecretCredential {
  return new ClientSecretCredential(identity.tenantId, identity.clientId, identity.clientSecret, {
    authorityHost: server.url,
    disableInstanceDiscovery: true,
    httpClient: httpClientTrusting(server.ca),
  });
}

/**
 * What a client of a local server needs: trust the CA (in-process, as NODE_EXTRA_CA_CERTS does
 * for a new process), and no challenge resource check (127.0.0.1 is no subdomain of
 * managedhsm.azure.net).
 */
export function clientOptions(server: ServerProcess): AccessControlClientOptions {
  return { httpClient: httpClientTrusting(server.ca), disableChallengeResourceVerification: true };
}

export function adminClients(
  server: ServerProcess,
  identity: Identity = server.admin,
  options: AccessControlClientOptions = {},
) {
  const credential = credentialFor(server, identity);
  const all = { ...clientOptions(server), ...options };
  return {
    accessControl: new KeyVaultAccessControlClient(server.url, credential, all),
    backup: new KeyVaultBackupClient(server.url, credential, all),
    settings: new KeyVaultSettingsClient(server.url, credential, all),
  };
}
