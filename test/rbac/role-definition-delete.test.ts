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
 * Deleting a custom role definition that an assignment uses succeeds, as the service does (see
 * role-definition-service.ts for the evidence). The assignment stays listed and readable, naming
 * the deleted definition, and grants nothing: not at once, not after a definition is created
 * again under the same GUID, and not on an old cached decision.
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
  const assignmentsOfHolder = async () =>
    (
      await as(
        admin,
        "GET",
        `${ASSIGNMENTS}?${V}&$filter=${encodeURIComponent(`principalId eq '${holder.objectId}'`)}`,
      )
    ).json.value as Array<{ name: string; properties: { roleDefinitionId: string } }>;

  before(async () => {
    server = await startServerProcess();
    admin = await adminToken(server);
    holder = await createPrincipal(server, "custom role holder");
  });
  after(() => server?.dispose());

  it("deletes the definition; the assignment stays readable and grants nothing from that moment", async () => {
    assert.equal((await putDefinition()).status, 201);
    const assigned = await as(admin, "PUT", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`, {
      properties: { roleDefinitionId: definitionId(DEFINITION), principalId: holder.objectId },
    });
    assert.equal(assigned.status, 201, assigned.text);
    assert.equal((await readKeys()).status, 200, "the custom role grants keys/read (and is cached)");

    const deleted = await as(admin, "DELETE", `${DEFS}/${DEFINITION}?${V}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.json.name, DEFINITION);
    assert.equal((await as(admin, "GET", `${DEFS}/${DEFINITION}?${V}`)).status, 404);

    const orphan = await as(admin, "GET", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`);
    assert.equal(orphan.status, 200, orphan.text);
    assert.equal(orphan.json.properties.roleDefinitionId, definitionId(DEFINITION));
    assert.deepEqual(
      (await assignmentsOfHolder()).map((a) => a.name),
      [ASSIGNMENT],
      "the orphaned assignment is still listed",
    );
    const forbidden = await readKeys();
    assert.equal(forbidden.status, 403, forbidden.text);
  });

  it("a definition created again under the same GUID does not revive the orphaned assignment", async () => {
    assert.equal((await putDefinition()).status, 201, "the GUID may be used again");
    const stillForbidden = await readKeys();
    assert.equal(stillForbidden.status, 403, stillForbidden.text);

    // The orphan still holds the place of that grant (principal, definition GUID, scope): a new
    // assignment of the new definition is refused until the orphan is deleted, with a message
    // that says so, and then it is made and grants.
    const fresh = "0c4b8a5c-6d7e-4f9a-8b1c-4d5e6f7a8b9c";
    const assign = () =>
      as(admin, "PUT", `${ASSIGNMENTS}/${fresh}?${V}`, {
        properties: { roleDefinitionId: definitionId(DEFINITION), principalId: holder.objectId },
      });
    const refused = await assign();
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.error.code, "RoleAssignmentExists");
    assert.match(refused.json.error.message, new RegExp(`'${ASSIGNMENT}'.*deleted; it grants nothing`));
    assert.equal((await readKeys()).status, 403);

    assert.equal((await as(admin, "DELETE", `${ASSIGNMENTS}/${ASSIGNMENT}?${V}`)).status, 200);
    const assigned = await assign();
    assert.equal(assigned.status, 201, assigned.text);
    assert.equal((await readKeys()).status, 200);

    // Deleting the definition again orphans the new assignment in turn.
    assert.equal((await as(admin, "DELETE", `${DEFS}/${DEFINITION}?${V}`)).status, 200);
    assert.equal((await readKeys()).status, 403);
    assert.deepEqual(
      (await assignmentsOfHolder()).map((a) => a.name),
      [fresh],
    );
  });

  it("an orphaned assignment is deleted like any other, and the delete is idempotent for the SDKs", async () => {
    const fresh = "0c4b8a5c-6d7e-4f9a-8b1c-4d5e6f7a8b9c";
    assert.equal((await as(admin, "DELETE", `${ASSIGNMENTS}/${fresh}?${V}`)).status, 200);
    assert.equal((await as(admin, "GET", `${ASSIGNMENTS}/${fresh}?${V}`)).status, 404);
    assert.deepEqual(await assignmentsOfHolder(), []);
    assert.equal((await as(admin, "DELETE", `${DEFS}/${DEFINITION}?${V}`)).status, 404);
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
