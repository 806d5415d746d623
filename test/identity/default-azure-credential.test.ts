import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodePayload } from "../harness/forged-tokens.js";
import { rawRequest } from "../harness/https-client.js";
import { RESOURCE } from "../harness/principals.js";
import { SYSTEM_PYTHON } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { runClient } from "./clients/run-client.js";

const CLIENTS = join(import.meta.dirname, "clients");

/**
 * Issue 13: applications use DefaultAzureCredential configured by environment variables, and
 * nothing else. With AZURE_TENANT_ID=adfs MSAL skips instance discovery (which would call
 * login.microsoftonline.com) and reads <AZURE_AUTHORITY_HOST>/adfs/.well-known/openid-configuration:
 * the embedded identity provider answers there too, with the same tokens.
 */
describe("DefaultAzureCredential from environment variables alone (tenant adfs)", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
    // An Administrator alone may not create keys, as on a real Managed HSM.
    await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
  });
  after(() => server?.dispose());

  const environment = (language: "js" | "python") => ({
    AZURE_AUTHORITY_HOST: server.url,
    AZURE_TENANT_ID: "adfs",
    AZURE_CLIENT_ID: server.admin.clientId,
    AZURE_CLIENT_SECRET: server.admin.clientSecret,
    ...(language === "js"
      ? { NODE_EXTRA_CA_CERTS: server.admin.caFile }
      : { REQUESTS_CA_BUNDLE: server.admin.caFile }),
    MHSM_VAULT_URL: server.url,
    MHSM_RESOURCE: RESOURCE,
    // https://127.0.0.1:<port> cannot pass the SDKs' challenge resource check (see the suite below).
    MHSM_VERIFY_CHALLENGE: "0",
  });

  const assertSameToken = (claims: Record<string, unknown>) => {
    assert.equal(claims.iss, `${server.url}/${server.admin.tenantId}/v2.0`, "the issuer the server trusts");
    assert.equal(claims.aud, RESOURCE);
    assert.equal(claims.tid, server.admin.tenantId);
    assert.equal(claims.oid, server.admin.objectId);
  };

  it("publishes AD FS discovery whose issuer has the authority's origin and whose token endpoint is under /adfs", async () => {
    const discovery = await rawRequest(server, { path: "/adfs/.well-known/openid-configuration" });
    assert.equal(discovery.status, 200);
    assert.equal(discovery.json.issuer, `${server.url}/${server.admin.tenantId}/v2.0`);
    assert.equal(discovery.json.token_endpoint, `${server.url}/adfs/oauth2/token`);
    assert.ok(discovery.json.authorization_endpoint, "MSAL requires an authorization_endpoint");
    const keys = await rawRequest(server, { path: new URL(discovery.json.jwks_uri).pathname });
    assert.equal(keys.status, 200);
    assert.equal(keys.json.keys.length, 1);
  });

  it("JS (@azure/identity): gets a token and creates and reads a key with KeyClient", async () => {
    const result = await runClient(
      process.execPath,
      [join(CLIENTS, "default_credential.mjs")],
      environment("js"),
    );
    assertSameToken(result.claims);
    assert.match(result.keyId, new RegExp(`^${server.url}/keys/dac-js-`));
    assert.equal(result.readId, result.keyId);
    assert.equal(result.kty, "RSA-HSM");
  });

  it("Python (Debian's azure-identity): gets a token, lists role definitions and creates a key", async () => {
    const result = await runClient(
      SYSTEM_PYTHON,
      [join(CLIENTS, "default_credential.py")],
      environment("python"),
    );
    assertSameToken(result.claims);
    assert.ok(result.roleNames.includes("Managed HSM Administrator"), JSON.stringify(result.roleNames));
    assert.match(result.keyId, new RegExp(`^${server.url}/keys/dac-py-`));
  });

  it("the token from /adfs/oauth2/token is accepted by the HSM like any other", async () => {
    const response = await rawRequest(server, {
      method: "POST",
      path: "/adfs/oauth2/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: server.admin.clientId,
        client_secret: server.admin.clientSecret,
        scope: `${RESOURCE}/.default`,
      }).toString(),
    });
    assert.equal(response.status, 200, response.text);
    assertSameToken(decodePayload(response.json.access_token));
    const roles = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5",
      token: response.json.access_token,
    });
    assert.equal(roles.status, 200);
  });
});

describe("the AD FS token endpoint is throttled with the other", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  const attempt = (path: string, clientId: string, clientSecret: string) =>
    rawRequest(server, {
      method: "POST",
      path,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
        scope: `${RESOURCE}/.default`,
      }).toString(),
    });

  it("failures on either path spend the same (client id, address) allowance; then 429 with Retry-After", async () => {
    const guesser = randomUUID();
    const v2 = `/${server.admin.tenantId}/oauth2/v2.0/token`;
    // The default allows 10 failures per (client id, address): 5 on each path spend them all.
    for (let i = 0; i < 5; i++) {
      assert.equal((await attempt(v2, guesser, "mhsm~wrong")).status, 401);
      assert.equal((await attempt("/adfs/oauth2/token", guesser, "mhsm~wrong")).status, 401);
    }
    for (const path of ["/adfs/oauth2/token", v2]) {
      const throttled = await attempt(path, guesser, "mhsm~wrong");
      assert.equal(throttled.status, 429, `${path}: ${throttled.text}`);
      assert.equal(throttled.json.error, "temporarily_unavailable");
      assert.ok(Number(throttled.headers["retry-after"]) >= 1);
    }
    // Another client id from the same address is not locked out by the guesser.
    const admin = await attempt("/adfs/oauth2/token", server.admin.clientId, server.admin.clientSecret);
    assert.equal(admin.status, 200, admin.text);
  });
});
