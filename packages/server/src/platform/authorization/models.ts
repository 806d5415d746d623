/** The RBAC domain model, as the services and the engine see it (no wire shapes here). */
export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export type RoleType = "AKVBuiltInRole" | "CustomRole";

export interface RoleDefinition {
  /** A GUID, lower case. */
  name: string;
  roleName: string;
  description: string;
  roleType: RoleType;
  permissions: Permission[];
  assignableScopes: string[];
}

export interface RoleAssignment {
  /** A GUID, lower case. */
  name: string;
  /** Canonical scope: "/", "/keys" or "/keys/{name}". */
  scope: string;
  /** The GUID of the role definition. */
  roleDefinitionName: string;
  principalId: string;
  /** Its role definition was deleted: it is still listed, and grants nothing. */
  orphaned?: true;
}
