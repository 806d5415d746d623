import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.4";
const PROVIDER = "/providers/Microsoft.Authorization";
const CRYPTO_AUDITOR = "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const definitionId = (guid: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const ACTION = "Microsoft.KeyVault/managedHsm";

function assertForbidden(response: RawResponse, action: string, scope: string) {
  assert.equal(response.status, 403, response.text);
  assert.equal(response.json.error.code, "AccessDenied");
  assert.ok(
    response.json.error.message.includes(`Not authorized to access ${ACTION}/${action} on ${scope}`),
    response.json.error.message,
  );
}

describe("RBAC enforcement with several principals", () => {
  let server: ServerProcess;
  let admin: string;
  let nobody: TestPrincipal;
  let auditor: TestPrincipal;
  let keyScoped: TestPrincipal;
  let custom: TestPrincipal;
  const as = (who: string, method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token: who, body });
  const assign = async (scope: string, name: string, role: string, principalId: string) => {
    const response = await as(
      admin,
      "PUT",
      `${scope === "/" ? "" : scope}${PROVIDER}/roleAssignments/${name}?${V}`,
      {
        properties: { roleDefinitionId: definitionId(role), principalId },
      },
    );
    assert.equal(response.status, 201, response.text);
  };

  before(async () => {
    server = await startServerProcess();
    admin = await adminToken(server);
    [nobody, auditor, keyScoped, custom] = await Promise.all([
      createPrincipal(server, "nobody"),
      createPrincipal(server, "auditor"),
      createPrincipal(server, "key-scoped"),
      createPrincipal(server, "custom"),
    ]);
    await assign("/", "a0000000-0000-4000-8000-000000000001", CRYPTO_AUDITOR, auditor.objectId);

    // A custom role that reads assignments, assigned only at /keys/k1.
    const reader = "c0000000-0000-4000-8000-000000000001";
    const created = await as(admin, "PUT", `${PROVIDER}/roleDefinitions/${reader}?${V}`, {
      properties: {
        roleName: "assignment reader",
        permissions: [{ dataActions: [`${ACTION}/roleAssignments/read/action`] }],
      },
    });
    assert.equal(created.status, 201, created.text);
    await assign("/keys/k1", "a0000000-0000-4000-8000-000000000002", reader, keyScoped.objectId);

    // A custom role with a wildcard and a notDataAction: everything on assignments but delete.
    const noDelete = "c0000000-0000-4000-8000-000000000002";
    const createdNoDelete = await as(admin, "PUT", `${PROVIDER}/roleDefinitions/${noDelete}?${V}`, {
      properties: {
        roleName: "assignments without delete",
        permissions: [
          {
            dataActions: [`${ACTION}/roleAssignments/*`, `${ACTION}/roleDefinitions/read/action`],
            notDataActions: [`${ACTION}/roleAssignments/delete/action`],
          },
        ],
      },
    });
    assert.equal(createdNoDelete.status, 201, createdNoDelete.text);
    await assign("/", "a0000000-0000-4000-8000-000000000003", noDelete, custom.objectId);
  });
  after(() => server?.dispose());

  it("gives a principal with no role 403 on every RBAC operation, naming action and scope", async () => {
    const name = "b0000000-0000-4000-8000-000000000001";
    const cases: Array<[string, string, string, string, unknown?]> = [
      ["GET", `${PROVIDER}/roleDefinitions?${V}`, "roleDefinitions/read/action", "/"],
      ["GET", `${PROVIDER}/roleDefinitions/${CRYPTO_USER}?${V}`, "roleDefinitions/read/action", "/"],
      [
        "PUT",
        `${PROVIDER}/roleDefinitions/${name}?${V}`,
        "roleDefinitions/write/action",
        "/",
        { properties: {} },
      ],
      ["DELETE", `${PROVIDER}/roleDefinitions/${name}?${V}`, "roleDefinitions/delete/action", "/"],
      ["GET", `/keys${PROVIDER}/roleAssignments?${V}`, "roleAssignments/read/action", "/keys"],
      ["GET", `/keys/k1${PROVIDER}/roleAssignments/${name}?${V}`, "roleAssignments/read/action", "/keys/k1"],
      [
        "PUT",
        `${PROVIDER}/roleAssignments/${name}?${V}`,
        "roleAssignments/write/action",
        "/",
        { properties: {} },
      ],
      ["DELETE", `${PROVIDER}/roleAssignments/${name}?${V}`, "roleAssignments/delete/action", "/"],
      ["GET", "/mhsm/principals", "roleAssignments/read/action", "/"],
      ["POST", "/mhsm/principals", "roleAssignments/write/action", "/", { displayName: "x" }],
    ];
    for (const [method, path, action, scope, body] of cases) {
      assertForbidden(await as(nobody.token, method, path, body), action, scope);
    }
  });

  it("checks RBAC before the body: a forbidden caller's malformed body still gets 403", async () => {
    const response = await rawRequest(server, {
      method: "PUT",
      path: `${PROVIDER}/roleDefinitions/b0000000-0000-4000-8000-000000000002?${V}`,
      token: nobody.token,
      body: "{not json",
    });
    assert.equal(response.status, 403);
  });

  it("lets a Crypto Auditor read definitions and assignments but not write them", async () => {
    assert.equal((await as(auditor.token, "GET", `${PROVIDER}/roleDefinitions?${V}`)).status, 200);
    assert.equal((await as(auditor.token, "GET", `${PROVIDER}/roleAssignments?${V}`)).status, 200);
    assert.equal((await as(auditor.token, "GET", `/keys/any${PROVIDER}/roleAssignments?${V}`)).status, 200);
    const write = await as(
      auditor.token,
      "PUT",
      `${PROVIDER}/roleAssignments/b0000000-0000-4000-8000-000000000003?${V}`,
      {
        properties: { roleDefinitionId: definitionId(CRYPTO_USER), principalId: auditor.objectId },
      },
    );
    assertForbidden(write, "roleAssignments/write/action", "/");
    const listed = await as(
      admin,
      "GET",
      `${PROVIDER}/roleAssignments?${V}&$filter=${encodeURIComponent(`principalId eq '${auditor.objectId}'`)}`,
    );
    assert.equal(listed.json.value.length, 1, "the auditor could not grant itself anything");
  });

  it("applies a key-scoped assignment to /keys/k1 only, not /keys/k2, /keys or /", async () => {
    assert.equal((await as(keyScoped.token, "GET", `/keys/k1${PROVIDER}/roleAssignments?${V}`)).status, 200);
    assertForbidden(
      await as(keyScoped.token, "GET", `/keys/k2${PROVIDER}/roleAssignments?${V}`),
      "roleAssignments/read/action",
      "/keys/k2",
    );
    assertForbidden(
      await as(keyScoped.token, "GET", `/keys${PROVIDER}/roleAssignments?${V}`),
      "roleAssignments/read/action",
      "/keys",
    );
    assertForbidden(
      await as(keyScoped.token, "GET", `${PROVIDER}/roleAssignments?${V}`),
      "roleAssignments/read/action",
      "/",
    );
  });

  it("honours wildcards and notDataActions in a custom role", async () => {
    const name = "b0000000-0000-4000-8000-000000000004";
    const path = `${PROVIDER}/roleAssignments/${name}?${V}`;
    const created = await as(custom.token, "PUT", path, {
      properties: { roleDefinitionId: definitionId(CRYPTO_USER), principalId: nobody.objectId },
    });
    assert.equal(created.status, 201, "the wildcard grants write");
    assert.equal((await as(custom.token, "GET", path)).status, 200, "and read");
    assertForbidden(await as(custom.token, "DELETE", path), "roleAssignments/delete/action", "/");
    assertForbidden(
      await as(custom.token, "DELETE", `${PROVIDER}/roleDefinitions/${CRYPTO_USER}?${V}`),
      "roleDefinitions/delete/action",
      "/",
    );
    assert.equal((await as(admin, "DELETE", path)).status, 200);
  });

  it("takes a revoked assignment away at once", async () => {
    const name = "b0000000-0000-4000-8000-000000000005";
    await assign("/", name, CRYPTO_AUDITOR, nobody.objectId);
    assert.equal((await as(nobody.token, "GET", `${PROVIDER}/roleDefinitions?${V}`)).status, 200);
    assert.equal((await as(admin, "DELETE", `${PROVIDER}/roleAssignments/${name}?${V}`)).status, 200);
    assertForbidden(
      await as(nobody.token, "GET", `${PROVIDER}/roleDefinitions?${V}`),
      "roleDefinitions/read/action",
      "/",
    );
  });

  it("takes effect when a custom role's permissions change", async () => {
    const role = "c0000000-0000-4000-8000-000000000003";
    const define = (dataActions: string[]) =>
      as(admin, "PUT", `${PROVIDER}/roleDefinitions/${role}?${V}`, {
        properties: { roleName: "changing", permissions: [{ dataActions }] },
      });
    assert.equal((await define([`${ACTION}/roleDefinitions/read/action`])).status, 201);
    const principal = await createPrincipal(server, "changing");
    await assign("/", "b0000000-0000-4000-8000-000000000006", role, principal.objectId);
    assert.equal((await as(principal.token, "GET", `${PROVIDER}/roleDefinitions?${V}`)).status, 200);
    assert.equal((await define([])).status, 201);
    assertForbidden(
      await as(principal.token, "GET", `${PROVIDER}/roleDefinitions?${V}`),
      "roleDefinitions/read/action",
      "/",
    );
  });
});
