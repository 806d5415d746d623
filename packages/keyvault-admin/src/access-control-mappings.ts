import type { KeyVaultRoleAssignment, KeyVaultRoleDefinition } from "./access-control-models.js";
import type { WireRoleAssignment, WireRoleDefinition } from "./wire/models.js";

/**
 * Wire models to public ones. A field the service leaves out comes back as "" or [] rather than
 * undefined, so code written against the declared (required) types does not trip on it.
 */
export function toRoleDefinition(wire: WireRoleDefinition): KeyVaultRoleDefinition {
  const properties = wire.properties ?? {};
  return {
    id: wire.id ?? "",
    name: wire.name ?? "",
    kind: wire.type ?? "",
    roleName: properties.roleName ?? "",
    description: properties.description ?? "",
    roleType: properties.type ?? "",
    permissions: (properties.permissions ?? []).map((permission) => ({
      actions: permission.actions ?? [],
      notActions: permission.notActions ?? [],
      dataActions: permission.dataActions ?? [],
      notDataActions: permission.notDataActions ?? [],
    })),
    assignableScopes: properties.assignableScopes ?? [],
  };
}

export function toRoleAssignment(wire: WireRoleAssignment): KeyVaultRoleAssignment {
  const properties = wire.properties ?? {};
  return {
    id: wire.id ?? "",
    name: wire.name ?? "",
    kind: wire.type ?? "",
    properties: {
      scope: properties.scope,
      roleDefinitionId: properties.roleDefinitionId ?? "",
      principalId: properties.principalId ?? "",
    },
  };
}
