import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import type { SUPPORTED_API_VERSIONS } from "./constants.js";

/** Options for {@link KeyVaultAccessControlClient}. */
export interface AccessControlClientOptions extends CommonClientOptions {
  /** The service API version; {@link LATEST_API_VERSION} when omitted. */
  serviceVersion?: SUPPORTED_API_VERSIONS;
  /**
   * Whether to skip the check that the challenge's resource matches the vault's domain. Needed
   * for a vault URL that is not a subdomain of the resource, such as `https://localhost:8443`.
   */
  disableChallengeResourceVerification?: boolean;
}

/**
 * The scope of a role definition or assignment: "/" (the whole HSM), "/keys" (all keys),
 * "/keys/{name}" (one key). {@link KnownKeyVaultRoleScope} names the first two.
 */
export type KeyVaultRoleScope = string;

/** The scopes every Managed HSM knows. */
export enum KnownKeyVaultRoleScope {
  /** The whole HSM. */
  Global = "/",
  /** All keys. */
  Keys = "/keys",
}

/** A data action, e.g. "Microsoft.KeyVault/managedHsm/keys/sign/action"; see {@link KnownKeyVaultDataAction}. */
export type KeyVaultDataAction = string;

/** What a role allows (`actions`, `dataActions`) and carves out of that (`notActions`, `notDataActions`). */
export interface KeyVaultPermission {
  /** Action permissions granted by the role. */
  actions?: string[];
  /** Action permissions excluded from `actions`. */
  notActions?: string[];
  /** Data action permissions granted by the role. */
  dataActions?: KeyVaultDataAction[];
  /** Data action permissions excluded from `dataActions`. */
  notDataActions?: KeyVaultDataAction[];
}

/** A role definition: a named set of permissions that can be assigned at some scopes. */
export interface KeyVaultRoleDefinition {
  /** The definition's id, "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}". */
  readonly id: string;
  /** The definition's name, a GUID. */
  readonly name: string;
  /** The resource type, "Microsoft.Authorization/roleDefinitions". */
  readonly kind: string;
  /** The display name. */
  roleName: string;
  /** The description. */
  description: string;
  /** "AKVBuiltInRole" or "CustomRole". */
  roleType: string;
  /** The permissions the role grants. */
  permissions: KeyVaultPermission[];
  /** The scopes at which the role can be assigned. */
  assignableScopes: string[];
}

/** The properties of a role assignment. */
export interface KeyVaultRoleAssignmentProperties {
  /** The scope of the assignment. */
  scope?: KeyVaultRoleScope;
  /** The id of the assigned role definition. */
  roleDefinitionId: string;
  /** The object id of the principal (user, service principal or group) given the role. */
  principalId: string;
}

/** A role assignment: a principal given a role definition at a scope. */
export interface KeyVaultRoleAssignment {
  /** The assignment's id, "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}". */
  readonly id: string;
  /** The assignment's name, a GUID. */
  readonly name: string;
  /** The resource type, "Microsoft.Authorization/roleAssignments". */
  readonly kind: string;
  /** What is assigned to whom, where. */
  properties: KeyVaultRoleAssignmentProperties;
}

/** Options for {@link KeyVaultAccessControlClient.createRoleAssignment}. */
export interface CreateRoleAssignmentOptions extends OperationOptions {}

/** Options for {@link KeyVaultAccessControlClient.deleteRoleAssignment}. */
export interface DeleteRoleAssignmentOptions extends OperationOptions {}

/** Options for {@link KeyVaultAccessControlClient.getRoleAssignment}. */
export interface GetRoleAssignmentOptions extends OperationOptions {}

/** Options for {@link KeyVaultAccessControlClient.listRoleAssignments}. */
export interface ListRoleAssignmentsOptions extends OperationOptions {}

/** Where to resume {@link KeyVaultAccessControlClient.listRoleAssignments} `byPage`. */
export interface ListRoleAssignmentsPageSettings {
  /** A page's `continuationToken`: listing resumes at the page after it. */
  continuationToken?: string;
}

/** Options for {@link KeyVaultAccessControlClient.getRoleDefinition}. */
export interface GetRoleDefinitionOptions extends OperationOptions {}

/** Options for {@link KeyVaultAccessControlClient.listRoleDefinitions}. */
export interface ListRoleDefinitionsOptions extends OperationOptions {}

/** Where to resume {@link KeyVaultAccessControlClient.listRoleDefinitions} `byPage`. */
export interface ListRoleDefinitionsPageSettings {
  /** A page's `continuationToken`: listing resumes at the page after it. */
  continuationToken?: string;
}

/** Options for {@link KeyVaultAccessControlClient.setRoleDefinition}. */
export interface SetRoleDefinitionOptions extends OperationOptions {
  /** The definition's name, a GUID; a new random one when omitted. */
  roleDefinitionName?: string;
  /** The display name. */
  roleName?: string;
  /** The description. */
  description?: string;
  /** The permissions the role grants. */
  permissions?: KeyVaultPermission[];
  /** The scopes at which the role can be assigned. Ignored, as by the official library: the scope given to setRoleDefinition is used. */
  assignableScopes?: KeyVaultRoleScope[];
}

/** Options for {@link KeyVaultAccessControlClient.deleteRoleDefinition}. */
export interface DeleteRoleDefinitionOptions extends OperationOptions {}
