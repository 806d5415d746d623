import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthenticationError, AuthenticationRequiredError, ClientSecretCredential } from "@azure/identity";
import { decodePayload } from "../harness/forged-tokens.js";
import { rawRequest } from "../harness/https-client.js";
import { RESOURCE } from "../harness/principals.js";
import { httpClientTrusting } from "../harness/js-sdk.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

describe("@azure/identity ClientSecretCredential against the embedded identity provider", () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  const credential = (secret: string) =>
    new ClientSecretCredential(server.admin.tenantId, server.admin.clientId, secret, {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      httpClient: httpClientTrusting(server.ca),
    });

  it("gets a token for <resource>/.default that the HSM accepts", async () => {
    const token = await credential(server.admin.clientSecret).getToken(`${RESOURCE}/.default`);
    assert.ok(token.expiresOnTimestamp > Date.now() + 50 * 60 * 1000);
    const claims = decodePayload(token.token);
    assert.equal(claims.oid, server.admin.objectId);
    assert.equal(claims.iss, `${server.url}/${server.admin.tenantId}/v2.0`);
    const response = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5",
      token: token.token,
    });
    assert.equal(response.status, 200);
  });

  it("fails with an AuthenticationError for a wrong secret", async () => {
    await assert.rejects(credential("mhsm~wrong").getToken(`${RESOURCE}/.default`), (error: unknown) => {
      // MSAL reports invalid_client as AuthenticationRequiredError in this version of @azure/identity.
      assert.ok(
        error instanceof AuthenticationError || error instanceof AuthenticationRequiredError,
        String(error),
      );
      assert.match(String((error as Error).message), /invalid_client|Invalid client/);
      return true;
    });
  });

  it("fails for a scope of another resource", async () => {
    await assert.rejects(
      credential(server.admin.clientSecret).getToken("https://vault.azure.net/.default"),
      /invalid_scope|scope/,
    );
  });
});

describe("token endpoint edges (Entra error shapes)", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  const tokenRequest = (tenant: string, form: Record<string, string>) =>
    rawRequest(server, {
      method: "POST",
      path: `/${tenant}/oauth2/v2.0/token`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  const good = () => ({
    grant_type: "client_credentials",
    client_id: server.admin.clientId,
    client_secret: server.admin.clientSecret,
    scope: `${RESOURCE}/.default`,
  });

  it("refuses unknown tenants, grant types, scopes and clients with AADSTS errors", async () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ["00000000-0000-0000-0000-000000000000", good(), 400, "invalid_request"],
      [server.admin.tenantId, { ...good(), grant_type: "password" }, 400, "unsupported_grant_type"],
      [
        server.admin.tenantId,
        { ...good(), scope: "https://graph.microsoft.com/.default" },
        400,
        "invalid_scope",
      ],
      [server.admin.tenantId, { ...good(), client_secret: "nope" }, 401, "invalid_client"],
      [
        server.admin.tenantId,
        { ...good(), client_id: "00000000-0000-0000-0000-000000000000" },
        401,
        "invalid_client",
      ],
    ];
    for (const [tenant, form, status, error] of cases) {
      const response = await tokenRequest(tenant, form);
      assert.equal(response.status, status, `${error}: ${response.text}`);
      assert.equal(response.json.error, error);
      assert.match(response.json.error_description, /^AADSTS\d+: /);
      assert.ok(!response.text.includes(server.admin.clientSecret), "the secret is never echoed");
    }
  });

  it("publishes OpenID discovery and the key set for the tenant", async () => {
    const discovery = await rawRequest(server, {
      path: `/${server.admin.tenantId}/v2.0/.well-known/openid-configuration`,
    });
    assert.equal(discovery.status, 200);
    assert.equal(discovery.json.token_endpoint, server.admin.tokenEndpoint);
    assert.equal(discovery.json.issuer, `${server.url}/${server.admin.tenantId}/v2.0`);
    const keys = await rawRequest(server, { path: new URL(discovery.json.jwks_uri).pathname });
    assert.equal(keys.json.keys.length, 1);
    assert.equal(keys.json.keys[0].kty, "RSA");
    assert.equal(keys.json.keys[0].d, undefined, "no private part");
  });
});
