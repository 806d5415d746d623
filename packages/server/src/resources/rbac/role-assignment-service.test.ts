import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoleAssignment, RoleDefinition } from "../../platform/authorization/models.js";
import type { RbacEngine } from "../../platform/authorization/rbac-engine.js";
import type { DomainError } from "../../platform/errors/domain-error.js";
import type { RbacStore } from "./role-assignment-repository.js";
import { RoleAssignmentService, parseRoleDefinitionId } from "./role-assignment-service.js";
import { RoleDefinitionService } from "./role-definition-service.js";

describe("parseRoleDefinitionId", () => {
  const guid = "21DBD100-6940-42C2-9190-5D6CB909625B";
  it("accepts every spelling of a definition id, and a bare GUID", () => {
    for (const id of [
      `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      `/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      `/keys/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      guid,
    ]) {
      assert.equal(parseRoleDefinitionId(id), guid.toLowerCase(), id);
    }
  });
  it("refuses anything else", () => {
    for (const id of [
      "",
      "roleDefinitions/",
      "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/not-a-guid",
      `${guid}x`,
    ]) {
      assert.throws(() => parseRoleDefinitionId(id), /not valid/, id);
    }
  });
});

describe("RoleAssignmentService.create and a definition deleted meanwhile", () => {
  const DEFINITION = "8c1e2b9a-3f4d-4e5a-9b6c-7d8e9f0a1b2c";
  const custom: RoleDefinition = {
    name: DEFINITION,
    roleName: "custom",
    description: "",
    roleType: "CustomRole",
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: ["Microsoft.KeyVault/managedHsm/keys/read/action"],
        notDataActions: [],
      },
    ],
    assignableScopes: ["/"],
  };

  /** A store whose committed state still has the definition, while the write transaction (run after a concurrent delete) no longer does. */
  function stores() {
    const inserted: RoleAssignment[] = [];
    const assignments = {
      get: async () => undefined,
      findGrant: async () => undefined,
      countAtScopes: async () => 0,
      insert: async (assignment: RoleAssignment) => void inserted.push(assignment),
    };
    const tx = { roleDefinitions: { get: async () => undefined }, roleAssignments: assignments };
    const outer = {
      roleDefinitions: { get: async (name: string) => (name === DEFINITION ? custom : undefined) },
      roleAssignments: assignments,
      transaction: async <T>(work: (t: typeof tx) => Promise<T>) => work(tx),
    };
    return { store: outer as unknown as RbacStore, inserted };
  }

  it("reads the definition inside the write transaction, so no assignment to a deleted definition is stored", async () => {
    const { store, inserted } = stores();
    const rbac = { invalidate: () => undefined } as unknown as RbacEngine;
    const limits = {
      roleAssignmentsAtHsmScope: 10,
      roleAssignmentsPerKeyScope: 10,
      customRoleDefinitions: 10,
    };
    const service = new RoleAssignmentService(
      store,
      rbac,
      new RoleDefinitionService(store, rbac, limits),
      limits,
    );
    await assert.rejects(
      service.create("/", "5f0c7a3e-1d2b-4c6a-8e9f-0a1b2c3d4e5f", {
        roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${DEFINITION}`,
        principalId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
      }),
      (error: DomainError) => error.code === "RoleDefinitionDoesNotExist",
    );
    assert.deepEqual(inserted, []);
  });
});
