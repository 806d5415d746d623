import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseServerConfig } from "../../packages/server/src/index.js";
import { rawRequest } from "../harness/https-client.js";
import { SYSTEM_PYTHON } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE } from "../keys/support/roles.js";
import { runClient } from "./clients/run-client.js";

const CLIENTS = join(import.meta.dirname, "clients");
/** *.localhost is loopback (RFC 6761); the clients get a stand-in resolver for it (see there). */
const RESOLVER = join(CLIENTS, "localhost-resolver.mjs");
const HSM_HOSTNAME = "mhsm-test.managedhsm.localhost";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("--hsm-hostname: one setting for the URL, certificate name and resource", () => {
  it("derives the public URL, the certificate's name and the resource (the parent domain, same port)", () => {
    const config = parseServerConfig({ hsmHostname: "MyHsm.managedhsm.localhost", port: "9443" });
    assert.equal(config.publicUrl, "https://myhsm.managedhsm.localhost:9443");
    assert.deepEqual(config.tlsNames, ["myhsm.managedhsm.localhost"]);
    assert.equal(config.resource, "https://managedhsm.localhost:9443");
    const on443 = parseServerConfig({ hsmHostname: "myhsm.example.com", port: 443, tlsNames: ["other"] });
    assert.equal(on443.publicUrl, "https://myhsm.example.com");
    assert.equal(on443.resource, "https://example.com");
    assert.deepEqual(on443.tlsNames, ["other", "myhsm.example.com"]);
  });

  it("leaves settings that are given alone; the resource follows a given public URL's port", () => {
    const config = parseServerConfig({
      hsmHostname: "myhsm.managedhsm.localhost",
      publicUrl: "https://myhsm.managedhsm.localhost:8000",
      resource: "https://managedhsm.azure.net",
    });
    assert.equal(config.publicUrl, "https://myhsm.managedhsm.localhost:8000");
    assert.equal(config.resource, "https://managedhsm.azure.net");
    const behindProxy = parseServerConfig({
      hsmHostname: "myhsm.managedhsm.localhost",
      publicUrl: "https://myhsm.managedhsm.localhost",
      port: 0,
    });
    assert.equal(behindProxy.resource, "https://managedhsm.localhost");
  });

  it("refuses a single-label name and a port picked at start", () => {
    assert.throws(() => parseServerConfig({ hsmHostname: "localhost" }), /hsmHostname: must be a DNS name/);
    assert.throws(
      () => parseServerConfig({ hsmHostname: "myhsm.managedhsm.localhost", port: 0 }),
      /hsmHostname needs a fixed port/,
    );
  });
});

/**
 * The SDKs' challenge check (the vault's host must end with "." + the challenge resource's host;
 * JS compares host names, Python host:port) passes with --hsm-hostname alone: no
 * disableChallengeResourceVerification / verify_challenge_resource=False in the clients.
 */
describe("the SDKs keep their challenge resource check with --hsm-hostname", () => {
  let server: ServerProcess;
  let port: number;
  let vaultUrl: string;
  let resource: string;

  before(async () => {
    port = await freePort();
    server = await startServerProcess({ port, args: ["--hsm-hostname", HSM_HOSTNAME] });
    vaultUrl = `https://${HSM_HOSTNAME}:${port}`;
    resource = `https://managedhsm.localhost:${port}`;
    // The administrator may create keys too (an Administrator alone may not, as on a real HSM).
    const token = await rawRequest(server, {
      method: "POST",
      path: "/adfs/oauth2/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: server.admin.clientId,
        client_secret: server.admin.clientSecret,
        scope: `${resource}/.default`,
      }).toString(),
    });
    assert.equal(token.status, 200, token.text);
    const assigned = await rawRequest(server, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=7.4`,
      token: token.json.access_token,
      body: {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${ROLE.cryptoUser}`,
          principalId: server.admin.objectId,
        },
      },
    });
    assert.equal(assigned.status, 201, assigned.text);
  });
  after(() => server?.dispose());

  const environment = (language: "js" | "python", url = vaultUrl) => ({
    AZURE_AUTHORITY_HOST: vaultUrl,
    AZURE_TENANT_ID: "adfs",
    AZURE_CLIENT_ID: server.admin.clientId,
    AZURE_CLIENT_SECRET: server.admin.clientSecret,
    ...(language === "js"
      ? { NODE_EXTRA_CA_CERTS: server.admin.caFile }
      : { REQUESTS_CA_BUNDLE: server.admin.caFile }),
    MHSM_VAULT_URL: url,
    MHSM_RESOURCE: resource,
  });

  it("names the HSM by its host name: vault URL, challenge resource and certificate", async () => {
    assert.equal(server.admin.vaultUrl, vaultUrl);
    assert.equal(server.admin.tokenEndpoint, `${vaultUrl}/${server.admin.tenantId}/oauth2/v2.0/token`);
    const challenge = await rawRequest(server, { path: "/keys?api-version=7.5" });
    assert.equal(challenge.status, 401);
    assert.equal(
      challenge.headers["www-authenticate"],
      `Bearer authorization="${vaultUrl}/${server.admin.tenantId}", resource="${resource}"`,
    );
  });

  it("JS: DefaultAzureCredential and KeyClient with no options create and read a key", async () => {
    const result = await runClient(
      process.execPath,
      ["--import", RESOLVER, join(CLIENTS, "default_credential.mjs")],
      environment("js"),
    );
    assert.equal(result.claims.iss, `${vaultUrl}/${server.admin.tenantId}/v2.0`);
    assert.equal(result.claims.aud, resource);
    assert.match(result.keyId, new RegExp(`^${vaultUrl}/keys/dac-js-`));
    assert.equal(result.readId, result.keyId);
  });

  it("Python: DefaultAzureCredential, KeyVaultAccessControlClient and KeyClient with no options", async () => {
    const result = await runClient(
      SYSTEM_PYTHON,
      [join(CLIENTS, "default_credential.py")],
      environment("python"),
    );
    assert.equal(result.claims.aud, resource);
    assert.ok(result.roleNames.includes("Managed HSM Administrator"), JSON.stringify(result.roleNames));
    assert.match(result.keyId, new RegExp(`^${vaultUrl}/keys/dac-py-`));
  });

  it("the check is really on: the same client at https://127.0.0.1:<port> is refused by the SDK", async () => {
    await assert.rejects(
      runClient(
        process.execPath,
        ["--import", RESOLVER, join(CLIENTS, "default_credential.mjs")],
        environment("js", server.url),
      ),
      /challenge resource|does not match/i,
    );
  });
});
