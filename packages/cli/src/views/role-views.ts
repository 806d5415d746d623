import type { KeyVaultRoleAssignment, KeyVaultRoleDefinition } from "@mhsm/keyvault-admin";
import type { View } from "../output.js";

export const roleDefinitionView: View<KeyVaultRoleDefinition> = {
  json: (definition) => ({
    id: definition.id,
    name: definition.name,
    roleName: definition.roleName,
    description: definition.description,
    roleType: definition.roleType,
    permissions: definition.permissions,
    assignableScopes: definition.assignableScopes,
  }),
  columns: [
    { header: "Name", value: (d) => d.name },
    { header: "Role name", value: (d) => d.roleName },
    { header: "Type", value: (d) => d.roleType },
    { header: "Description", value: (d) => d.description },
  ],
};

/** `show` adds what a list leaves out: the permissions and where the role can be assigned. */
export const roleDefinitionDetailView: View<KeyVaultRoleDefinition> = {
  json: roleDefinitionView.json,
  columns: [
    ...roleDefinitionView.columns,
    { header: "Data actions", value: (d) => d.permissions.flatMap((p) => p.dataActions ?? []) },
    { header: "Not data actions", value: (d) => d.permissions.flatMap((p) => p.notDataActions ?? []) },
    { header: "Assignable scopes", value: (d) => d.assignableScopes },
    { header: "Id", value: (d) => d.id },
  ],
};

/** An assignment with its role's name, flat (as `az keyvault role assignment` prints it). */
export interface RoleAssignmentRow {
  assignment: KeyVaultRoleAssignment;
  roleName: string | undefined;
}

export const roleAssignmentView: View<RoleAssignmentRow> = {
  json: ({ assignment, roleName }) => ({
    id: assignment.id,
    name: assignment.name,
    scope: assignment.properties.scope,
    principalId: assignment.properties.principalId,
    roleDefinitionId: assignment.properties.roleDefinitionId,
    roleName: roleName ?? null,
  }),
  columns: [
    { header: "Name", value: (r) => r.assignment.name },
    { header: "Role", value: (r) => r.roleName ?? r.assignment.properties.roleDefinitionId },
    { header: "Principal", value: (r) => r.assignment.properties.principalId },
    { header: "Scope", value: (r) => r.assignment.properties.scope },
  ],
};
