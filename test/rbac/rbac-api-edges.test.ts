import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.4";
const DEFS = "/providers/Microsoft.Authorization/roleDefinitions";
const ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4";
const definitionId = (guid: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function assertError(response: RawResponse, status: number, code: string, message?: RegExp) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json.error.code, code, response.text);
  if (message) assert.match(response.json.error.message, message);
}

describe("RBAC API: validation, conflicts and limits", () => {
  let server: ServerProcess;
  let token: string;
  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const putDefinition = (name: string, properties: unknown) =>
    call("PUT", `${DEFS}/${name}?${V}`, { properties });
  const putAssignment = (scope: string, name: string, properties: unknown) =>
    call("PUT", `${scope === "/" ? "" : scope}${ASSIGNMENTS}/${name}?${V}`, { properties });
  const listAssignments = async () =>
    (await call("GET", `${ASSIGNMENTS}?${V}`)).json.value as Array<{ name: string }>;

  before(async () => {
    const config = join(tmpdir(), `mhsm-limits-${process.pid}.json`);
    await writeFile(
      config,
      JSON.stringify({
        limits: { customRoleDefinitions: 3, roleAssignmentsAtHsmScope: 4, roleAssignmentsPerKeyScope: 2 },
      }),
    );
    server = await startServerProcess({ args: ["--config", config, "--list-page-size", "2"] });
    token = await adminToken(server);
  });
  after(() => server?.dispose());

  it("requires GUID names for role definitions and assignments", async () => {
    assertError(
      await putDefinition("my-role", { roleName: "x" }),
      400,
      "BadParameter",
      /Role definition name must be a GUID/,
    );
    assertError(
      await putAssignment("/", "not-a-guid", {
        roleDefinitionId: definitionId(CRYPTO_USER),
        principalId: guid(1),
      }),
      400,
      "BadParameter",
      /Role assignment name must be a GUID/,
    );
  });

  it("answers a delete of a definition whose name is not a GUID as for any missing one (404)", async () => {
    // The service checks existence before format on DELETE; the SDKs' idempotent delete swallows the 404.
    assertError(
      await call("DELETE", `${DEFS}/foobar?${V}`),
      404,
      "RoleDefinitionNotFound",
      /^Requested role definition not found/,
    );
  });

  it("refuses to create, replace or delete a built-in role", async () => {
    const before = JSON.stringify(await call("GET", `${DEFS}/${ADMINISTRATOR}?${V}`).then((r) => r.json));
    assertError(
      await putDefinition(ADMINISTRATOR, { roleName: "mine now" }),
      400,
      "BadParameter",
      /Cannot re-use the name\/GUID matching that of a built-in role/,
    );
    assertError(
      await call("DELETE", `${DEFS}/${ADMINISTRATOR.toUpperCase()}?${V}`),
      400,
      "BadParameter",
      /built-in/,
    );
    const afterwards = JSON.stringify(await call("GET", `${DEFS}/${ADMINISTRATOR}?${V}`).then((r) => r.json));
    assert.equal(afterwards, before);
  });

  it("validates custom role contents: type, actions, data action syntax, assignable scopes", async () => {
    const name = guid(90);
    assertError(
      await putDefinition(name, { roleName: "x", type: "AKVBuiltInRole" }),
      400,
      "BadParameter",
      /CustomRole/,
    );
    assertError(
      await putDefinition(name, { permissions: [{ actions: ["Microsoft.KeyVault/vaults/read"] }] }),
      400,
      "BadParameter",
      /data actions only/,
    );
    assertError(
      await putDefinition(name, { permissions: [{ dataActions: ["bad action!"] }] }),
      400,
      "BadParameter",
      /not a valid data action/,
    );
    assertError(
      await putDefinition(name, { assignableScopes: ["/keys/k1"] }),
      400,
      "BadParameter",
      /Assignable scope/,
    );
    assertError(
      await putDefinition(name, { permissions: "all" }),
      400,
      "BadParameter",
      /request body is not valid/,
    );
    assertError(await call("GET", `${DEFS}/${name}?${V}`), 404, "RoleDefinitionNotFound");
  });

  it("fills defaults like the service: empty description, empty permission lists, assignable scope /", async () => {
    const name = guid(91);
    const created = await putDefinition(name, {
      roleName: "defaults",
      permissions: [{ dataActions: ["Microsoft.KeyVault/managedHsm/keys/*"] }],
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json, {
      id: definitionId(name),
      name,
      type: "Microsoft.Authorization/roleDefinitions",
      properties: {
        roleName: "defaults",
        description: "",
        type: "CustomRole",
        permissions: [
          {
            actions: [],
            notActions: [],
            dataActions: ["Microsoft.KeyVault/managedHsm/keys/*"],
            notDataActions: [],
          },
        ],
        assignableScopes: ["/"],
      },
    });
    assert.equal((await call("DELETE", `${DEFS}/${name}?${V}`)).status, 200);
  });

  it("refuses assignments of unknown roles, to non-GUID principals, or at invalid scopes", async () => {
    const before = await listAssignments();
    assertError(
      await putAssignment("/", guid(10), { roleDefinitionId: definitionId(guid(999)), principalId: guid(1) }),
      400,
      "RoleDefinitionDoesNotExist",
    );
    assertError(
      await putAssignment("/", guid(10), { roleDefinitionId: "garbage", principalId: guid(1) }),
      400,
      "BadParameter",
      /role definition id 'garbage' is not valid/,
    );
    assertError(
      await putAssignment("/", guid(10), { roleDefinitionId: definitionId(CRYPTO_USER), principalId: "bob" }),
      400,
      "BadParameter",
      /object id/,
    );
    assertError(
      await putAssignment("/", guid(10), { roleDefinitionId: definitionId(CRYPTO_USER) }),
      400,
      "BadParameter",
    );
    assertError(
      await call("PUT", `/keys/bad_name!${ASSIGNMENTS}/${guid(10)}?${V}`, {
        properties: { roleDefinitionId: definitionId(CRYPTO_USER), principalId: guid(1) },
      }),
      400,
      "BadParameter",
      /scope/,
    );
    assert.deepEqual(await listAssignments(), before);
  });

  it("gives 409 for a taken assignment name and for the same grant under another name", async () => {
    const properties = { roleDefinitionId: definitionId(CRYPTO_USER), principalId: guid(2) };
    assert.equal((await putAssignment("/keys", guid(20), properties)).status, 201);
    assertError(await putAssignment("/keys", guid(20), properties), 409, "RoleAssignmentExists");
    assertError(
      await putAssignment("/keys", guid(21), properties),
      409,
      "RoleAssignmentExists",
      /already exists/,
    );
    // Any spelling of the role definition id names the same role.
    assertError(
      await putAssignment("/keys", guid(22), {
        ...properties,
        roleDefinitionId: `/keys/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
      }),
      409,
      "RoleAssignmentExists",
    );
    assert.equal((await call("DELETE", `/keys${ASSIGNMENTS}/${guid(20)}?${V}`)).status, 200);
  });

  it("finds an assignment only at its own scope", async () => {
    const properties = { roleDefinitionId: definitionId(CRYPTO_USER), principalId: guid(3) };
    assert.equal((await putAssignment("/keys/k1", guid(30), properties)).status, 201);
    assert.equal((await call("GET", `/keys/k1${ASSIGNMENTS}/${guid(30)}?${V}`)).status, 200);
    assertError(await call("GET", `${ASSIGNMENTS}/${guid(30)}?${V}`), 404, "RoleAssignmentNotFound");
    assertError(
      await call("DELETE", `/keys/k2${ASSIGNMENTS}/${guid(30)}?${V}`),
      404,
      "RoleAssignmentNotFound",
    );
    assert.equal((await call("DELETE", `/keys/k1${ASSIGNMENTS}/${guid(30)}?${V}`)).status, 200);
    assertError(
      await call("DELETE", `/keys/k1${ASSIGNMENTS}/${guid(30)}?${V}`),
      404,
      "RoleAssignmentNotFound",
    );
  });

  it("holds the custom role definition limit, and a refused create changes nothing", async () => {
    const existing = (await listAllDefinitions()).filter((d) => d.properties.type === "CustomRole").length;
    for (let i = existing; i < 3; i++) {
      assert.equal((await putDefinition(guid(100 + i), { roleName: `r${i}` })).status, 201);
    }
    const before = await listAllDefinitions();
    assertError(
      await putDefinition(guid(199), { roleName: "one too many" }),
      400,
      "RoleDefinitionLimitExceeded",
      /3/,
    );
    assert.deepEqual(await listAllDefinitions(), before);
    // Updating an existing custom role is not a new one.
    assert.equal((await putDefinition(guid(100), { roleName: "renamed" })).status, 201);
    for (let i = 0; i < 3; i++) await call("DELETE", `${DEFS}/${guid(100 + i)}?${V}`);
  });

  it("holds the assignment limits at HSM scope (/ and /keys) and per key scope", async () => {
    const role = definitionId(CRYPTO_USER);
    const atHsm = (await listAllAssignments()).filter(
      (a) => a.properties.scope === "/" || a.properties.scope === "/keys",
    ).length;
    for (let i = atHsm; i < 4; i++) {
      assert.equal(
        (
          await putAssignment(i % 2 ? "/" : "/keys", guid(200 + i), {
            roleDefinitionId: role,
            principalId: guid(300 + i),
          })
        ).status,
        201,
      );
    }
    assertError(
      await putAssignment("/", guid(250), { roleDefinitionId: role, principalId: guid(350) }),
      400,
      "RoleAssignmentLimitExceeded",
    );
    assertError(
      await putAssignment("/keys", guid(250), { roleDefinitionId: role, principalId: guid(350) }),
      400,
      "RoleAssignmentLimitExceeded",
    );
    for (let i = 0; i < 2; i++) {
      assert.equal(
        (
          await putAssignment("/keys/k9", guid(400 + i), {
            roleDefinitionId: role,
            principalId: guid(500 + i),
          })
        ).status,
        201,
      );
    }
    assertError(
      await putAssignment("/keys/k9", guid(450), { roleDefinitionId: role, principalId: guid(550) }),
      400,
      "RoleAssignmentLimitExceeded",
    );
    // Another key has its own allowance.
    assert.equal(
      (await putAssignment("/keys/k8", guid(460), { roleDefinitionId: role, principalId: guid(560) })).status,
      201,
    );
  });

  it("pages lists longer than a page with absolute nextLinks on the client's host", async () => {
    const all = await listAllDefinitions();
    assert.ok(all.length >= 9);
    const first = await call("GET", `${DEFS}?${V}`);
    assert.equal(first.json.value.length, 2);
    const next = new URL(first.json.nextLink);
    assert.equal(next.origin, server.url);
    assert.equal(next.searchParams.get("api-version"), "7.4");
    assert.ok(next.searchParams.get("$skiptoken"));
    const names = all.map((d) => d.name);
    assert.equal(new Set(names).size, names.length, "no item repeats across pages");
    assertError(await call("GET", `${DEFS}?${V}&$skiptoken=%%%`), 400, "BadParameter", /skiptoken/);
  });

  it("filters assignments with atScope() and principalId eq", async () => {
    const role = definitionId(CRYPTO_USER);
    const principal = guid(777);
    // Make room under the HSM-scope limit for this test.
    for (const a of (await listAllAssignments()).filter(
      (x) => x.properties.principalId !== server.admin.objectId,
    )) {
      await call(
        "DELETE",
        `${a.properties.scope === "/" ? "" : a.properties.scope}${ASSIGNMENTS}/${a.name}?${V}`,
      );
    }
    assert.equal(
      (await putAssignment("/keys/k1", guid(601), { roleDefinitionId: role, principalId: principal })).status,
      201,
    );
    assert.equal(
      (await putAssignment("/keys", guid(602), { roleDefinitionId: role, principalId: principal })).status,
      201,
    );
    const byPrincipal = await listAllAssignments(`principalId eq '${principal}'`);
    assert.deepEqual(byPrincipal.map((a) => a.name).sort(), [guid(601), guid(602)]);
    const atKeys = await listAllAssignments("atScope()", "/keys");
    assert.ok(atKeys.some((a) => a.name === guid(602)));
    assert.ok(!atKeys.some((a) => a.name === guid(601)), "atScope() excludes scopes below");
    const belowKeys = await listAllAssignments(undefined, "/keys");
    assert.ok(
      belowKeys.some((a) => a.name === guid(601)),
      "without a filter, scopes below are listed",
    );
    assertError(
      await call("GET", `${ASSIGNMENTS}?${V}&$filter=${encodeURIComponent("roleName eq 'x'")}`),
      400,
      "BadParameter",
      /not supported/,
    );
    const byName = await call(
      "GET",
      `${DEFS}?${V}&$filter=${encodeURIComponent("roleName eq 'Managed HSM Crypto User'")}`,
    );
    assert.deepEqual(
      byName.json.value.map((d: { name: string }) => d.name),
      [CRYPTO_USER],
    );
  });

  async function listAllDefinitions() {
    return followPages(`${DEFS}?${V}`) as Promise<Array<{ name: string; properties: { type: string } }>>;
  }
  async function listAllAssignments(filter?: string, scope = "") {
    const query = filter ? `&$filter=${encodeURIComponent(filter)}` : "";
    return followPages(`${scope}${ASSIGNMENTS}?${V}${query}`) as Promise<
      Array<{ name: string; properties: { scope: string; principalId: string } }>
    >;
  }
  async function followPages(path: string) {
    const items: unknown[] = [];
    let next: string | null = path;
    while (next) {
      const response: RawResponse = await call(
        "GET",
        next.startsWith("https://") ? next.slice(server.url.length) : next,
      );
      assert.equal(response.status, 200, response.text);
      items.push(...response.json.value);
      next = response.json.nextLink;
    }
    return items;
  }
});
