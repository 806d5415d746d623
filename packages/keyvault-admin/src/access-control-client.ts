import type { TokenCredential } from "@azure/core-auth";
import type { PagedAsyncIterableIterator } from "@azure/core-paging";
import { randomUUID } from "@azure/core-util";
import { toRoleAssignment, toRoleDefinition } from "./access-control-mappings.js";
import type {
  AccessControlClientOptions,
  CreateRoleAssignmentOptions,
  DeleteRoleAssignmentOptions,
  DeleteRoleDefinitionOptions,
  GetRoleAssignmentOptions,
  GetRoleDefinitionOptions,
  KeyVaultRoleAssignment,
  KeyVaultRoleDefinition,
  KeyVaultRoleScope,
  ListRoleAssignmentsOptions,
  ListRoleDefinitionsOptions,
  SetRoleDefinitionOptions,
} from "./access-control-models.js";
import { AdminHttpClient } from "./http/admin-http-client.js";
import { ignoreNotFound } from "./ignore-not-found.js";
import { pagedList } from "./paging.js";
import { tracingClient } from "./tracing.js";
import type { WireRoleAssignment, WireRoleDefinition } from "./wire/models.js";
import * as rbac from "./wire/rbac-operations.js";

/**
 * Manages role-based access control of a Managed HSM: role definitions (built-in and custom) and
 * role assignments, at the whole HSM ("/"), all keys ("/keys") or one key ("/keys/{name}").
 */
export class KeyVaultAccessControlClient {
  /** The base URL to the vault. */
  public readonly vaultUrl: string;

  private readonly client: AdminHttpClient;

  /**
   * Creates an instance of the KeyVaultAccessControlClient.
   *
   * @param vaultUrl - the URL of the Managed HSM, e.g. `https://myhsm.managedhsm.azure.net`.
   * @param credential - any `TokenCredential`, e.g. from `@azure/identity`.
   * @param options - options used to configure Key Vault API requests.
   */
  constructor(vaultUrl: string, credential: TokenCredential, options: AccessControlClientOptions = {}) {
    this.vaultUrl = vaultUrl;
    this.client = new AdminHttpClient(vaultUrl, credential, options);
  }

  /**
   * Creates a role assignment.
   *
   * @param roleScope - the scope of the role assignment.
   * @param name - the name of the role assignment; must be a GUID.
   * @param roleDefinitionId - the id of the role definition to assign.
   * @param principalId - the object id of the user, service principal or group given the role.
   * @param options - the optional parameters.
   */
  public createRoleAssignment(
    roleScope: KeyVaultRoleScope,
    name: string,
    roleDefinitionId: string,
    principalId: string,
    options: CreateRoleAssignmentOptions = {},
  ): Promise<KeyVaultRoleAssignment> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.createRoleAssignment",
      options,
      async (updatedOptions) =>
        toRoleAssignment(
          await rbac.putRoleAssignment(
            this.client,
            roleScope,
            name,
            { roleDefinitionId, principalId },
            updatedOptions,
          ),
        ),
    );
  }

  /**
   * Deletes a role assignment. Deleting one that does not exist succeeds.
   *
   * @param roleScope - the scope of the role assignment.
   * @param name - the name of the role assignment.
   * @param options - the optional parameters.
   */
  public deleteRoleAssignment(
    roleScope: KeyVaultRoleScope,
    name: string,
    options: DeleteRoleAssignmentOptions = {},
  ): Promise<void> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.deleteRoleAssignment",
      options,
      (updatedOptions) =>
        ignoreNotFound(rbac.deleteRoleAssignment(this.client, roleScope, name, updatedOptions)),
    );
  }

  /**
   * Gets a role assignment.
   *
   * @param roleScope - the scope of the role assignment.
   * @param name - the name of the role assignment.
   * @param options - the optional parameters.
   */
  public getRoleAssignment(
    roleScope: KeyVaultRoleScope,
    name: string,
    options: GetRoleAssignmentOptions = {},
  ): Promise<KeyVaultRoleAssignment> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.getRoleAssignment",
      options,
      async (updatedOptions) =>
        toRoleAssignment(await rbac.getRoleAssignment(this.client, roleScope, name, updatedOptions)),
    );
  }

  /**
   * Lists the role assignments that concern a scope. Iterate it with `for await`, or page by page
   * with `byPage()`; each page carries a `continuationToken` to resume after it.
   *
   * @param roleScope - the scope of the role assignments.
   * @param options - the optional parameters.
   */
  public listRoleAssignments(
    roleScope: KeyVaultRoleScope,
    options: ListRoleAssignmentsOptions = {},
  ): PagedAsyncIterableIterator<KeyVaultRoleAssignment> {
    return pagedList((nextLink) =>
      tracingClient.withSpan(
        "KeyVaultAccessControlClient.listRoleAssignmentsPage",
        options,
        async (updatedOptions) => {
          const page = await rbac.listRbacPage<WireRoleAssignment>(
            this.client,
            roleScope,
            "roleAssignments",
            nextLink,
            updatedOptions,
          );
          return { items: (page.value ?? []).map(toRoleAssignment), nextLink: page.nextLink ?? undefined };
        },
      ),
    );
  }

  /**
   * Lists the role definitions at a scope, built-in and custom.
   *
   * @param roleScope - the scope of the role definitions.
   * @param options - the optional parameters.
   */
  public listRoleDefinitions(
    roleScope: KeyVaultRoleScope,
    options: ListRoleDefinitionsOptions = {},
  ): PagedAsyncIterableIterator<KeyVaultRoleDefinition> {
    return pagedList((nextLink) =>
      tracingClient.withSpan(
        "KeyVaultAccessControlClient.listRoleDefinitionsPage",
        options,
        async (updatedOptions) => {
          const page = await rbac.listRbacPage<WireRoleDefinition>(
            this.client,
            roleScope,
            "roleDefinitions",
            nextLink,
            updatedOptions,
          );
          return { items: (page.value ?? []).map(toRoleDefinition), nextLink: page.nextLink ?? undefined };
        },
      ),
    );
  }

  /**
   * Gets a role definition.
   *
   * @param roleScope - the scope of the role definition.
   * @param name - the name of the role definition, a GUID.
   * @param options - the optional parameters.
   */
  public getRoleDefinition(
    roleScope: KeyVaultRoleScope,
    name: string,
    options: GetRoleDefinitionOptions = {},
  ): Promise<KeyVaultRoleDefinition> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.getRoleDefinition",
      options,
      async (updatedOptions) =>
        toRoleDefinition(await rbac.getRoleDefinition(this.client, roleScope, name, updatedOptions)),
    );
  }

  /**
   * Creates or updates a custom role definition, assignable at `roleScope`.
   *
   * @param roleScope - the scope of the role definition.
   * @param options - the definition's name (a new GUID when omitted), display name, description
   *   and permissions.
   */
  public setRoleDefinition(
    roleScope: KeyVaultRoleScope,
    options: SetRoleDefinitionOptions = {},
  ): Promise<KeyVaultRoleDefinition> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.setRoleDefinition",
      options,
      async (updatedOptions) => {
        const properties: rbac.WireRoleDefinitionProperties = {
          roleName: options.roleName,
          description: options.description,
          type: "CustomRole",
          permissions: options.permissions,
          assignableScopes: [roleScope],
        };
        const name = options.roleDefinitionName || randomUUID();
        return toRoleDefinition(
          await rbac.putRoleDefinition(this.client, roleScope, name, properties, updatedOptions),
        );
      },
    );
  }

  /**
   * Deletes a custom role definition. Deleting one that does not exist succeeds.
   *
   * @param roleScope - the scope of the role definition.
   * @param name - the name of the role definition.
   * @param options - the optional parameters.
   */
  public deleteRoleDefinition(
    roleScope: KeyVaultRoleScope,
    name: string,
    options: DeleteRoleDefinitionOptions = {},
  ): Promise<void> {
    return tracingClient.withSpan(
      "KeyVaultAccessControlClient.deleteRoleDefinition",
      options,
      (updatedOptions) =>
        ignoreNotFound(rbac.deleteRoleDefinition(this.client, roleScope, name, updatedOptions)),
    );
  }
}
