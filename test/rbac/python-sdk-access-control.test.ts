import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4";
const DEFINITION_ID = (guid: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

describe("official Python SDK (azure-keyvault-administration) access-control README", () => {
  let server: ServerProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;

  before(async () => {
    server = await startServerProcess();
    out = await runPython(join(import.meta.dirname, "python/access_control_readme.py"), server);
  });
  after(() => server?.dispose());

  it("lists the nine built-in roles with their real names and GUIDs", () => {
    const builtIns = out.definitions.filter((d: { type: string }) => d.type === "AKVBuiltInRole");
    assert.equal(builtIns.length, 9);
    const administrator = builtIns.find((d: { name: string }) => d.name === ADMINISTRATOR);
    assert.equal(administrator.role_name, "Managed HSM Administrator");
    assert.equal(administrator.id, DEFINITION_ID(ADMINISTRATOR));
    assert.ok(administrator.data_actions.includes("Microsoft.KeyVault/managedHsm/backup/start/action"));
    const names = builtIns.map((d: { role_name: string }) => d.role_name).sort();
    assert.deepEqual(names, [
      "Managed HSM Administrator",
      "Managed HSM Backup User",
      "Managed HSM Crypto Auditor",
      "Managed HSM Crypto Officer",
      "Managed HSM Crypto Service Encryption User",
      "Managed HSM Crypto Service Release User",
      "Managed HSM Crypto User",
      "Managed HSM Policy Administrator",
      "Managed HSM Restore User",
    ]);
  });

  it("creates, updates and reads back a custom role definition", () => {
    assert.equal(out.created_definition.role_name, "my custom role");
    assert.equal(out.created_definition.type, "CustomRole");
    assert.deepEqual(out.created_definition.data_actions, ["Microsoft.KeyVault/managedHsm/keys/read/action"]);
    assert.deepEqual(out.created_definition.assignable_scopes, ["/"]);
    assert.equal(out.updated_definition.description, "updated");
    assert.deepEqual(out.updated_definition.data_actions, []);
    assert.deepEqual(out.updated_definition.not_data_actions, ["Microsoft.KeyVault/managedHsm/keys/create"]);
  });

  it("lists the initial administrator's assignment at /", () => {
    const initial = out.assignments_before.find(
      (a: { principal_id: string }) => a.principal_id === server.admin.objectId,
    );
    assert.ok(initial, "the initial administrator has an assignment");
    assert.equal(initial.scope, "/");
    assert.equal(initial.role_definition_id, DEFINITION_ID(ADMINISTRATOR));
  });

  it("creates, gets and deletes a role assignment at /keys", () => {
    const created = out.created_assignment;
    assert.equal(created.scope, "/keys");
    assert.equal(created.id, `/keys/providers/Microsoft.Authorization/roleAssignments/${created.name}`);
    assert.equal(created.role_definition_id, DEFINITION_ID(out.created_definition.name));
    assert.equal(out.got_assignment.name, created.name);
    assert.equal(out.got_assignment.principal_id, created.principal_id);
    assert.deepEqual(out.after_delete, { status: 404, type: "ResourceNotFoundError" });
  });

  // Deleted while assigned, as the service does (role-definition-service.ts has the evidence);
  // test/rbac/role-definition-delete.test.ts shows that the orphaned assignment grants nothing,
  // also once a definition is made again under the same GUID.
  it("deletes a role definition that an assignment uses; the assignment stays readable until deleted", () => {
    assert.equal(out.delete_in_use, "deleted");
    assert.deepEqual(out.definition_after_delete_in_use, { status: 404 });
    assert.deepEqual(out.orphaned_assignment, {
      name: out.created_assignment.name,
      role_definition_id: DEFINITION_ID(out.created_definition.name),
    });
    assert.deepEqual(out.definition_after_delete, { status: 404, type: "ResourceNotFoundError" });
  });

  it("answers a definition asked for by its role name with the service's 404 words", () => {
    assert.equal(out.definition_by_role_name.status, 404);
    assert.equal(out.definition_by_role_name.code, "RoleDefinitionNotFound");
    assert.match(
      out.definition_by_role_name.message,
      /^Requested role definition not found \(Activity ID: [0-9a-f-]+\)$/,
    );
  });

  it("lets the SDK's idempotent delete pass over a definition name that is not a GUID", () => {
    assert.equal(out.delete_non_guid, "ignored");
  });

  it("assigns at a single key's scope and lists it there", () => {
    assert.equal(out.key_scope_assignment.scope, "/keys/my-key");
    assert.match(
      out.key_scope_assignment.id,
      /^\/keys\/my-key\/providers\/Microsoft\.Authorization\/roleAssignments\//,
    );
    assert.ok(out.key_scope_list.includes("/keys/my-key"));
    assert.ok(out.key_scope_list.includes("/"), "the assignment at / applies to /keys/my-key too");
  });
});
