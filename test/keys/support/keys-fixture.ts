import { ClientSecretCredential } from "@azure/identity";
import { CryptographyClient, KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import { type RawResponse, rawRequest } from "../../harness/https-client.js";
import { httpClientTrusting } from "../../harness/js-sdk.js";
import { adminToken, tokenFor } from "../../harness/principals.js";
import { type ServerProcess, type StartOptions, startServerProcess } from "../../harness/server-process.js";
import { grantAdminKeyRoles } from "./roles.js";

export const API = "api-version=7.5";

/**
 * One real server per test file, with the initial administrator also holding Crypto User and
 * Crypto Officer (an Administrator alone has no key permissions, as on a real Managed HSM), and
 * the official JS SDK clients pointed at it.
 */
export interface KeysFixture {
  server: ServerProcess;
  credential: ClientSecretCredential;
  keyClient: KeyClient;
  /** The administrator's bearer token, for raw requests. */
  token: string;
  clientOptions: {
    disableChallengeResourceVerification: true;
    httpClient: ReturnType<typeof httpClientTrusting>;
  };
  credentialFor(principal: { clientId: string; clientSecret: string }): ClientSecretCredential;
  /** A CryptographyClient for a key (remote operations where the SDK has no local provider). */
  cryptoClient(key: KeyVaultKey | string, credential?: ClientSecretCredential): CryptographyClient;
  /** A raw request with api-version added; the admin token unless another is given. */
  request(method: string, path: string, body?: unknown, token?: string): Promise<RawResponse>;
  dispose(): Promise<void>;
}

export async function startKeysServer(options: StartOptions = {}): Promise<KeysFixture> {
  const server = await startServerProcess(options);
  try {
    await grantAdminKeyRoles(server);
    const httpClient = httpClientTrusting(server.ca);
    const clientOptions = { disableChallengeResourceVerification: true as const, httpClient };
    const credentialFor = (principal: { clientId: string; clientSecret: string }) =>
      new ClientSecretCredential(server.admin.tenantId, principal.clientId, principal.clientSecret, {
        authorityHost: server.url,
        disableInstanceDiscovery: true,
        httpClient,
      });
    const credential = credentialFor(server.admin);
    const token = await adminToken(server);
    return {
      server,
      credential,
      keyClient: new KeyClient(server.url, credential, clientOptions),
      token,
      clientOptions,
      credentialFor,
      cryptoClient: (key, other) => new CryptographyClient(key, other ?? credential, clientOptions),
      request: (method, path, body, other) =>
        rawRequest(server, {
          method,
          path: `${path}${path.includes("?") ? "&" : "?"}${API}`,
          token: other ?? token,
          body,
        }),
      dispose: () => server.dispose(),
    };
  } catch (error) {
    await server.dispose();
    throw error;
  }
}

export { tokenFor };
