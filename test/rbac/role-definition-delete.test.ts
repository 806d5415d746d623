import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=2026-04-01";
const DEFS = "/providers/Microsoft.Authorization/roleDefinitions";
const ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const READ_KEYS = "Microsoft.KeyVault/managedHsm/keys/read/action";
const definitionId = (guid: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/**
 * Deleting a custom role definition while an assignment uses it is refused (409
 * RoleDefinitionHasAssignments), so no assignment outlives its definition, and a definition
 * created later under the same GUID cannot be granted through an assignment made for the old
 * one. See role-definition-service.ts for the evidence behind refusing.
 */
describe("deleting a role definition that is assigned", () => {
  let server: ServerProcess;
  let admin: string;
  let holder: TestPrincipal;
  const DEFINITION = "6a0f4c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b";
  const ASSIGNMENT = "7b1e5d2f-3c4a-4b6c-9d8e-1f2a3b4c5d6e";
  const as = (token: string, method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const putDefinition = () =>
    as(admin, "PUT", `${DEFS}/${DEFINITION}?${V}`, {
      properties: { roleName: "key reader", permissions: [{ dataActions: [READ_KEYS] }] },
    });
  const readKeys = () => as(holder.token, "GET", `/keys?${V}`);

  before(async () => {
    server = await startServerProcess();
    admin = await adminToken(server);
    holder = await createPrincipal(server, "custom role holder");
  });
  after(() => server?.dispose());

  it("is refused with 409 RoleDefinitionHasAssignments, and the definition and its grant stay", async () => {
    assert.equal((await putDefinition()).status, 201);
    const assigned = await as(admin, "PUT", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`, {
      properties: { roleDefinitionId: definitionId(DEFINITION), principalId: holder.objectId },
    });
    assert.equal(assigned.status, 201, assigned.text);
    assert.equal((await readKeys()).status, 200, "the custom role grants keys/read");

    const refused = await as(admin, "DELETE", `${DEFS}/${DEFINITION}?${V}`);
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.error.code, "RoleDefinitionHasAssignments");

    assert.equal((await as(admin, "GET", `${DEFS}/${DEFINITION}?${V}`)).status, 200);
    const got = await as(admin, "GET", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`);
    assert.equal(got.json.properties.roleDefinitionId, definitionId(DEFINITION));
    assert.equal((await readKeys()).status, 200, "the refused delete changed nothing");
  });

  it("succeeds once the assignment is gone; a definition made again under the same GUID grants the old holder nothing", async () => {
    assert.equal((await as(admin, "DELETE", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`)).status, 200);
    assert.equal((await readKeys()).status, 403);
    const deleted = await as(admin, "DELETE", `${DEFS}/${DEFINITION}?${V}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await as(admin, "GET", `${DEFS}/${DEFINITION}?${V}`)).status, 404);

    assert.equal((await putDefinition()).status, 201, "the GUID may be used again");
    const stillForbidden = await readKeys();
    assert.equal(stillForbidden.status, 403, stillForbidden.text);
    const mine = (
      await as(
        admin,
        "GET",
        `${ASSIGNMENTS}?${V}&$filter=${encodeURIComponent(`principalId eq '${holder.objectId}'`)}`,
      )
    ).json.value as unknown[];
    assert.deepEqual(mine, [], "no assignment names the new definition");
  });

  it("refuses an assignment to a definition that no longer exists", async () => {
    const GONE = "8d2f6e3a-4b5c-4d7e-8f9a-2b3c4d5e6f7a";
    const response = await as(admin, "PUT", `${ASSIGNMENTS}/9e3a7f4b-5c6d-4e8f-9a0b-3c4d5e6f7a8b?${V}`, {
      properties: { roleDefinitionId: definitionId(GONE), principalId: holder.objectId },
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.json.error.code, "RoleDefinitionDoesNotExist");
  });
});
