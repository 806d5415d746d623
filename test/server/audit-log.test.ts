import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

interface AuditRecord {
  requestId: string;
  correlationId?: string;
  caller: { objectId?: string; clientId?: string } | null;
  operation: string;
  method: string;
  path: string;
  target?: string;
  status: number;
  result: string;
  errorCode?: string;
  durationMs: number;
}

describe("audit log", () => {
  let server: ServerProcess;
  let records: AuditRecord[];
  let okId: string;
  let deniedId: string;
  let badTokenId: string;
  let token: string;
  let outsiderSecret: string;

  before(async () => {
    server = await startServerProcess();
    token = await adminToken(server);
    const outsider = await createPrincipal(server, "outsider");
    outsiderSecret = outsider.clientSecret;
    const ok = await rawRequest(server, {
      path: "/keys/k1/providers/Microsoft.Authorization/roleAssignments?api-version=7.4&$filter=atScope()",
      token,
      headers: { "x-ms-client-request-id": "corr-123" },
    });
    okId = String(ok.headers["x-ms-request-id"]);
    const denied = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      token: outsider.token,
    });
    deniedId = String(denied.headers["x-ms-request-id"]);
    const badToken = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      token: "x.y.z",
    });
    badTokenId = String(badToken.headers["x-ms-request-id"]);
    await rawRequest(server, { path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4" });
    await server.stop();
    const text = await readFile(join(server.dataDir, "audit.log"), "utf8");
    records = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditRecord);
  });
  after(() => server?.dispose());

  it("records who did what, where, with what result and how long it took", () => {
    const record = records.find((r) => r.requestId === okId);
    assert.ok(record);
    assert.equal(record.caller?.objectId, server.admin.objectId);
    assert.equal(record.operation, "RoleAssignments_ListForScope");
    assert.equal(record.method, "GET");
    assert.equal(record.path, "/keys/k1/providers/Microsoft.Authorization/roleAssignments");
    assert.equal(record.target, "/keys/k1");
    assert.equal(record.status, 200);
    assert.equal(record.result, "success");
    assert.equal(record.correlationId, "corr-123");
    assert.ok(record.durationMs >= 0);
  });

  it("records denied requests and refused tokens as failures with their error code", () => {
    const denied = records.find((r) => r.requestId === deniedId);
    assert.equal(denied?.status, 403);
    assert.equal(denied?.result, "failure");
    assert.equal(denied?.errorCode, "AccessDenied");
    const refused = records.find((r) => r.requestId === badTokenId);
    assert.equal(refused?.status, 401);
    assert.equal(refused?.caller, null);
  });

  it("records token requests by client id, and nothing about anonymous challenges", () => {
    assert.ok(
      records.some(
        (r) => r.operation === "IdentityProvider_Token" && r.caller?.clientId === server.admin.clientId,
      ),
    );
    assert.equal(records.filter((r) => r.status === 401 && r.requestId !== badTokenId).length, 0);
  });

  it("never holds a token, secret or query string", async () => {
    const text = JSON.stringify(records);
    assert.ok(!text.includes(token) && !text.includes(token.split(".")[2] as string));
    assert.ok(!text.includes(server.admin.clientSecret) && !text.includes(outsiderSecret));
    assert.ok(!text.includes("api-version") && !text.includes("$filter"));
    assert.equal((await stat(join(server.dataDir, "audit.log"))).mode & 0o777, 0o600);
  });
});
