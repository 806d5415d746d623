import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { SUPPORTED_API_VERSIONS } from "../../packages/server/src/platform/http/api-version.js";
import { claims, unsignedToken } from "../harness/forged-tokens.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RESOURCE_ID =
  "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-hsm/providers/Microsoft.KeyVault/managedHSMs/contoso";
const ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";
const OBJECT_ID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const TENANT_ID_CLAIM = "http://schemas.microsoft.com/identity/claims/tenantid";

/** The fields Azure Monitor's AuditEvent of a Managed HSM has, as the issue lists them. */
const AZURE_FIELDS = [
  "time",
  "resourceId",
  "operationName",
  "operationVersion",
  "category",
  "resultType",
  "resultSignature",
  "durationMs",
  "callerIpAddress",
  "identity",
  "correlationId",
  "httpStatusCode",
  "requestUri",
  "properties",
];

async function auditLines(server: ServerProcess): Promise<{ text: string; lines: Line[] }> {
  const text = await readFile(join(server.dataDir, "audit.log"), "utf8");
  return {
    text,
    lines: text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Line),
  };
}

/**
 * audit.format "azure": a real server's audit.log, after operations through the official JS SDK
 * and raw HTTPS, read field by field against Azure Monitor's AuditEvent as Microsoft documents
 * it for Managed HSM (learn.microsoft.com/azure/key-vault/managed-hsm/logging) and Key Vault
 * (…/key-vault/general/logging: field table and operation names).
 */
describe("audit log in Azure Monitor's AuditEvent shape", () => {
  let fx: KeysFixture;
  let outsider: TestPrincipal;
  let lines: Line[];
  let text: string;
  const keyName = `audit-${randomUUID().slice(0, 8)}`;
  const correlationId = randomUUID();
  const forged = unsignedToken(claims({ oid: randomUUID() }));
  let adminRawToken: string;
  let sdkVersion: string;

  const find = (predicate: (line: Line) => boolean, what: string): Line => {
    const found = lines.find(predicate);
    assert.ok(found, `no audit record of ${what}`);
    return found;
  };

  before(async () => {
    fx = await startKeysServer({ args: ["--audit-format", "azure", "--audit-resource-id", RESOURCE_ID] });
    adminRawToken = fx.token;
    outsider = await createPrincipal(fx.server, "audit-outsider");
    const key = await fx.keyClient.createRsaKey(keyName, { keySize: 2048 });
    await fx.cryptoClient(key).sign("RS256", createHash("sha256").update("audited").digest());
    await rawRequest(fx.server, {
      path: `${ROLE_DEFINITIONS}?api-version=7.4`,
      token: adminRawToken,
      headers: { "x-ms-client-request-id": correlationId, "user-agent": "audit-test/1.0" },
    });
    await rawRequest(fx.server, { path: `/keys?api-version=7.5`, token: outsider.token });
    await rawRequest(fx.server, { path: `/keys?api-version=7.5`, token: forged });
    await rawRequest(fx.server, { path: `/keys/${keyName}?api-version=not-a-version`, token: adminRawToken });
    const root = join(fx.server.dataDir, "backups");
    await mkdir(root, { recursive: true });
    const backup = await fx.request("POST", "/backup", { storageResourceUri: pathToFileURL(root).href });
    assert.equal(backup.status, 202, backup.text);
    await waitForJob(fx.server, adminRawToken, backup);
    await rawRequest(fx.server, { path: "/healthz" });
    await fx.server.stop();
    ({ text, lines } = await auditLines(fx.server));
    const created = lines.find((line) => String(line.requestUri).includes(`/keys/${keyName}/create`));
    sdkVersion = String(created?.operationVersion);
  });
  after(() => fx?.dispose());

  it("gives every record Azure's fields, with the category, the resource and its id", () => {
    assert.ok(lines.length >= 8);
    for (const line of lines) {
      for (const field of AZURE_FIELDS)
        assert.ok(field in line, `${field} missing in ${JSON.stringify(line)}`);
      assert.equal(line.category, "AuditEvent");
      assert.equal(line.resourceId, RESOURCE_ID.toUpperCase());
      assert.equal(line.resource, "mhsm");
      assert.equal(line.resourceType, "managedHSMs");
      assert.equal(line.resourceProvider, "MICROSOFT.KEYVAULT");
      assert.ok(!Number.isNaN(Date.parse(line.time)) && line.time.endsWith("Z"));
      assert.ok(Number.isInteger(line.durationMs) && line.durationMs >= 0);
      assert.equal(line.callerIpAddress, "127.0.0.1");
      assert.equal(line.properties.httpStatusCode, line.httpStatusCode);
      assert.equal(line.properties.requestUri, line.requestUri);
      assert.equal(line.properties.clientInfo, line.clientInfo);
      assert.ok(["Success", "Failure"].includes(line.resultType));
      assert.equal(line.resultType === "Success", line.httpStatusCode < 400);
    }
  });

  it("names key operations as Key Vault's log does (KeyCreate, KeySign), with the caller's claims and the SDK's version", () => {
    assert.ok((SUPPORTED_API_VERSIONS as readonly string[]).includes(sdkVersion), sdkVersion);
    const create = find((l) => l.operationName === "KeyCreate", "KeyCreate");
    assert.equal(create.requestUri, `${fx.server.url}/keys/${keyName}/create?api-version=${sdkVersion}`);
    assert.equal(create.operationVersion, sdkVersion);
    assert.equal(create.resultType, "Success");
    assert.equal(create.resultSignature, "OK");
    assert.equal(create.httpStatusCode, 200);
    assert.match(create.clientInfo, /azsdk-js-keyvault-keys/);
    assert.match(create.correlationId, /^[0-9a-f-]{36}$/, "the SDK's x-ms-client-request-id");
    assert.deepEqual(create.identity, {
      claim: {
        [OBJECT_ID_CLAIM]: fx.server.admin.objectId,
        oid: fx.server.admin.objectId,
        appid: fx.server.admin.clientId,
        [TENANT_ID_CLAIM]: fx.server.admin.tenantId,
        tid: fx.server.admin.tenantId,
      },
    });
    assert.equal(create.properties.scope, `/keys/${keyName}`);
    const sign = find((l) => l.operationName === "KeySign", "KeySign");
    assert.equal(sign.resultSignature, "OK");
    assert.match(sign.requestUri, new RegExp(`/keys/${keyName}/[0-9a-f]{32}/sign\\?api-version=`));
  });

  it("keeps the client's correlation id and user agent, and mhsm's operation name where Azure documents none", () => {
    const list = find((l) => l.correlationId === correlationId, "the request with a correlation id");
    assert.equal(list.operationName, "RoleDefinitions_List");
    assert.equal(list.operationVersion, "7.4");
    assert.equal(list.clientInfo, "audit-test/1.0");
    assert.equal(list.requestUri, `${fx.server.url}${ROLE_DEFINITIONS}?api-version=7.4`);
  });

  it("records refusals as failures with the status name (Forbidden) and the error code, and Authentication for a bad token", () => {
    const denied = find(
      (l) => l.identity?.claim?.oid === outsider.objectId && l.httpStatusCode === 403,
      "the 403",
    );
    assert.equal(denied.operationName, "KeyList");
    assert.equal(denied.resultType, "Failure");
    assert.equal(denied.resultSignature, "Forbidden");
    assert.equal(denied.resultDescription, "AccessDenied");
    const unauthenticated = find((l) => l.httpStatusCode === 401, "the forged token's 401");
    assert.equal(unauthenticated.operationName, "Authentication");
    assert.equal(unauthenticated.resultSignature, "Unauthorized");
    assert.equal(unauthenticated.identity, null);
    const unsupported = find(
      (l) => l.httpStatusCode === 400 && l.operationName === "KeyGet",
      "the bad api-version",
    );
    assert.equal(unsupported.operationVersion, "");
    assert.equal(unsupported.resultSignature, "BadRequest");
    assert.equal(unsupported.requestUri, `${fx.server.url}/keys/${keyName}`);
  });

  it("names a full backup BackupCreate (Accepted, 202) and a token request by its client id", () => {
    const backup = find((l) => l.operationName === "BackupCreate", "the full backup");
    assert.equal(backup.httpStatusCode, 202);
    assert.equal(backup.resultSignature, "Accepted");
    const tokenRequest = find(
      (l) => l.identity?.claim?.appid === outsider.clientId && l.identity.claim.oid === undefined,
      "the outsider's token request",
    );
    assert.equal(tokenRequest.operationName, "IdentityProvider_Token");
    assert.equal(tokenRequest.operationVersion, "");
  });

  it("holds no token, secret or caller free text, and no probe", () => {
    for (const secret of [
      adminRawToken,
      outsider.token,
      forged,
      outsider.clientSecret,
      fx.server.admin.clientSecret,
    ]) {
      assert.ok(!text.includes(secret.slice(-24)), "a token or secret is in the audit log");
    }
    assert.ok(!text.includes("not-a-version"));
    assert.ok(!text.includes("Health_"));
  });
});

describe("audit log in the default format", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  it("keeps mhsm's own fields and nothing of the Azure shape", async () => {
    const token = await adminToken(server);
    await rawRequest(server, {
      path: `${ROLE_DEFINITIONS}?api-version=7.4`,
      token,
      headers: { "x-ms-client-request-id": "corr-default", "user-agent": "audit-test/1.0" },
    });
    await server.stop();
    const { lines } = await auditLines(server);
    const line = lines.find((l) => l.correlationId === "corr-default");
    assert.ok(line);
    assert.deepEqual(Object.keys(line), [
      "time",
      "requestId",
      "correlationId",
      "caller",
      "operation",
      "method",
      "path",
      "target",
      "status",
      "result",
      "durationMs",
    ]);
  });
});
