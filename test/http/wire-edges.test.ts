import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";
const NEW_GUID = "0b7e3d4a-1c2f-4e5a-9b8c-7d6e5f4a3b2c";

describe("HTTP wire behaviour", () => {
  let server: ServerProcess;
  let token: string;

  before(async () => {
    server = await startServerProcess({ args: ["--public-url", "https://mhsm.internal.test:9999"] });
    token = await adminToken(server);
  });
  after(() => server?.dispose());

  it("challenges a PUT sent with no body before reading or validating anything", async () => {
    // This is what the SDKs send first: the request without its body.
    const response = await rawRequest(server, {
      method: "PUT",
      path: `${DEFINITIONS}/${NEW_GUID}?api-version=7.4`,
      headers: { "content-type": "application/json", "content-length": "0" },
    });
    assert.equal(response.status, 401);
    const challenge = String(response.headers["www-authenticate"]);
    assert.equal(
      challenge,
      `Bearer authorization="https://mhsm.internal.test:9999/${server.admin.tenantId}", resource="https://managedhsm.azure.net"`,
    );
    assert.equal(response.json.error.code, "Unauthorized");
    assert.ok(response.headers["x-ms-request-id"]);
    assert.ok(response.json.error.message.includes(`(Activity ID: ${response.headers["x-ms-request-id"]})`));
  });

  it("challenges before api-version, routing and JSON parsing", async () => {
    for (const req of [
      { path: DEFINITIONS },
      { path: "/no/such/path?api-version=7.4" },
      { method: "PUT", path: `${DEFINITIONS}/${NEW_GUID}?api-version=7.4`, body: "{not json" },
    ]) {
      const response = await rawRequest(server, req);
      assert.equal(response.status, 401, `${req.path}: ${response.text}`);
    }
  });

  it("puts x-ms-request-id on every response, success or error", async () => {
    const ok = await rawRequest(server, { path: `${DEFINITIONS}?api-version=7.4`, token });
    const bad = await rawRequest(server, { path: `${DEFINITIONS}?api-version=1.0`, token });
    assert.match(String(ok.headers["x-ms-request-id"]), /^[0-9a-f-]{36}$/);
    assert.match(String(bad.headers["x-ms-request-id"]), /^[0-9a-f-]{36}$/);
    assert.notEqual(ok.headers["x-ms-request-id"], bad.headers["x-ms-request-id"]);
  });

  it("refuses a missing or unknown api-version, naming the supported ones", async () => {
    const missing = await rawRequest(server, { path: DEFINITIONS, token });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.code, "BadParameter");
    assert.match(missing.json.error.message, /api-version.*missing.*7\.2.*2026-04-01/);
    const unknown = await rawRequest(server, { path: `${DEFINITIONS}?api-version=2099-01-01`, token });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /2099-01-01.*not recognized.*7\.4-preview\.1/);
  });

  it("accepts every supported api-version, and a repeated identical one", async () => {
    for (const version of ["7.2", "7.3", "7.4", "7.4-preview.1", "7.5", "7.6", "2025-07-01", "2026-04-01"]) {
      const response = await rawRequest(server, { path: `${DEFINITIONS}?api-version=${version}`, token });
      assert.equal(response.status, 200, version);
    }
    const repeated = await rawRequest(server, {
      path: `${DEFINITIONS}?api-version=7.4&api-version=7.4`,
      token,
    });
    assert.equal(repeated.status, 200);
    const conflicting = await rawRequest(server, {
      path: `${DEFINITIONS}?api-version=7.4&api-version=7.3`,
      token,
    });
    assert.equal(conflicting.status, 400);
  });

  it("routes every spelling of the scope: /, //, ///, /keys, %2Fkeys, /keys/{name}/", async () => {
    // One assignment at /keys and one at /keys/k1: atScope() shows which scope a path resolved to.
    const crypto =
      "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b";
    const principalId = "5a2d9c1e-3b4f-4a6d-8e7f-9a0b1c2d3e4f";
    const atKeys = "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0";
    const atKey = "2e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0";
    for (const [scopePath, name] of [
      ["/keys", atKeys],
      ["/keys/k1", atKey],
    ]) {
      const created = await rawRequest(server, {
        method: "PUT",
        path: `${scopePath}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=7.4`,
        token,
        body: { properties: { roleDefinitionId: crypto, principalId } },
      });
      assert.equal(created.status, 201, created.text);
    }
    const spellings: Array<[string, string[]]> = [
      ["/providers/Microsoft.Authorization/roleAssignments", []],
      ["//providers/Microsoft.Authorization/roleAssignments", []],
      ["///providers/Microsoft.Authorization/roleAssignments", []],
      ["/keys/providers/Microsoft.Authorization/roleAssignments", [atKeys]],
      ["//keys/providers/Microsoft.Authorization/roleAssignments", [atKeys]],
      ["/%2Fkeys/providers/Microsoft.Authorization/roleAssignments", [atKeys]],
      ["/keys/k1/providers/Microsoft.Authorization/roleAssignments", [atKeys, atKey]],
      ["/keys/k1/providers/Microsoft.Authorization/roleAssignments/", [atKeys, atKey]],
    ];
    for (const [path, expected] of spellings) {
      const response = await rawRequest(server, { path: `${path}?api-version=7.4&$filter=atScope()`, token });
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      const names = response.json.value.map((a: { name: string }) => a.name);
      assert.deepEqual(
        names.filter((n: string) => n === atKeys || n === atKey).sort(),
        expected.sort(),
        path,
      );
      assert.ok(
        response.json.value.some((a: { properties: { scope: string } }) => a.properties.scope === "/"),
        path,
      );
    }
    const single = await rawRequest(server, {
      path: `///keys//k1/providers/Microsoft.Authorization/roleAssignments/${atKey}?api-version=7.4`,
      token,
    });
    assert.equal(single.status, 200, single.text);
    assert.equal(single.json.properties.scope, "/keys/k1");
  });

  it("answers 404 with a Key Vault error for unknown paths, 405 for wrong methods", async () => {
    const notFound = await rawRequest(server, { path: "/no/such/path?api-version=7.4", token });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json.error.code, "NotFound");
    const wrongMethod = await rawRequest(server, {
      method: "POST",
      path: `${DEFINITIONS}?api-version=7.4`,
      token,
    });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.error.code, "MethodNotAllowed");
    assert.equal(wrongMethod.headers.allow, "GET");
  });

  it("refuses malformed JSON, a non-object body and an oversized body with clear errors", async () => {
    const path = `${DEFINITIONS}/${NEW_GUID}?api-version=7.4`;
    const malformed = await rawRequest(server, { method: "PUT", path, token, body: "{not json" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, "BadParameter");
    assert.match(malformed.json.error.message, /not valid JSON/);
    const notObject = await rawRequest(server, { method: "PUT", path, token, body: "[1,2]" });
    assert.equal(notObject.status, 400);
    const noProperties = await rawRequest(server, { method: "PUT", path, token, body: {} });
    assert.equal(noProperties.status, 400);
    assert.match(noProperties.json.error.message, /properties/);
    const huge = await rawRequest(server, {
      method: "PUT",
      path,
      token,
      body: { properties: { roleName: "x".repeat(2 * 1024 * 1024) } },
    });
    assert.equal(huge.status, 413);
    const empty = await rawRequest(server, {
      method: "PUT",
      path,
      token,
      headers: { "content-type": "application/json" },
      body: "",
    });
    assert.equal(empty.status, 400);
    const list = await rawRequest(server, { path: `${DEFINITIONS}?api-version=7.4`, token });
    assert.ok(!list.json.value.some((d: { name: string }) => d.name === NEW_GUID), "nothing was created");
  });

  it("accepts application/json with a charset", async () => {
    const response = await rawRequest(server, {
      method: "PUT",
      path: `${DEFINITIONS}/${NEW_GUID}?api-version=7.4`,
      token,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: { properties: { roleName: "charset role" } },
    });
    assert.equal(response.status, 201, response.text);
    await rawRequest(server, { method: "DELETE", path: `${DEFINITIONS}/${NEW_GUID}?api-version=7.4`, token });
  });
});
