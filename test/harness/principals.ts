import { rawRequest } from "./https-client.js";
import type { ServerProcess } from "./server-process.js";

export interface TestPrincipal {
  objectId: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
  token: string;
}

export const RESOURCE = "https://managedhsm.azure.net";

/** A client-credentials token from the server's identity provider. */
export async function tokenFor(
  server: ServerProcess,
  credentials: { clientId: string; clientSecret: string; tokenEndpoint?: string },
): Promise<string> {
  // The server's own token endpoint (its tenant); the credentials' only when the server has none
  // recorded (a node that did not make the HSM's initial administrator).
  const tokenPath = new URL(server.admin.tokenEndpoint || (credentials.tokenEndpoint as string)).pathname;
  const response = await rawRequest(server, {
    method: "POST",
    path: tokenPath,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      scope: `${RESOURCE}/.default`,
    }).toString(),
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  return response.json.access_token as string;
}

export async function adminToken(server: ServerProcess): Promise<string> {
  return tokenFor(server, server.admin);
}

/** Creates a principal through the admin endpoint (as the initial admin) and gets its token. */
export async function createPrincipal(server: ServerProcess, displayName: string): Promise<TestPrincipal> {
  const response = await rawRequest(server, {
    method: "POST",
    path: "/mhsm/principals",
    token: await adminToken(server),
    body: { displayName },
  });
  if (response.status !== 201)
    throw new Error(`principal create failed: ${response.status} ${response.text}`);
  const created = response.json as Omit<TestPrincipal, "token">;
  return { ...created, token: await tokenFor(server, created) };
}
