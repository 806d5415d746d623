import { ADMINISTRATOR_ROLE_NAME } from "../../platform/authorization/builtin-roles.js";
import type { RoleAssignment } from "../../platform/authorization/models.js";
import type { RbacEngine } from "../../platform/authorization/rbac-engine.js";
import {
  GLOBAL_SCOPE,
  KEYS_SCOPE,
  isKeyScope,
  scopeAndAncestors,
  scopeCovers,
} from "../../platform/authorization/scope.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { RbacStore } from "./role-assignment-repository.js";
import { isGuid } from "../../platform/errors/guid.js";
import type { RoleDefinitionService } from "./role-definition-service.js";

export interface RoleAssignmentFilter {
  /** Only assignments at the scope or above it (`$filter=atScope()`). */
  atScope?: boolean;
  principalId?: string;
}

export interface RoleAssignmentLimits {
  roleAssignmentsAtHsmScope: number;
  roleAssignmentsPerKeyScope: number;
}

export class RoleAssignmentService {
  constructor(
    private readonly store: RbacStore,
    private readonly rbac: RbacEngine,
    private readonly definitions: RoleDefinitionService,
    private readonly limits: RoleAssignmentLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * A page of the assignments that concern `scope`, as ARM lists them: without a filter, those
   * at, above and below it; with atScope(), those at or above it. Ordered by name; the `limit`
   * after `after`. Below "/" and "/keys" is every scope there is, and below a key scope none.
   */
  async list(
    scope: string,
    filter: RoleAssignmentFilter,
    after: string | undefined,
    limit: number,
  ): Promise<RoleAssignment[]> {
    const scopes = filter.atScope || isKeyScope(scope) ? scopeAndAncestors(scope) : undefined;
    const principalId = filter.principalId?.toLowerCase();
    return this.store.roleAssignments.listPage({ scopes, principalId }, after?.toLowerCase(), limit);
  }

  async get(scope: string, name: string): Promise<RoleAssignment> {
    const assignment = isGuid(name) ? await this.store.roleAssignments.get(name.toLowerCase()) : undefined;
    if (!assignment || assignment.scope !== scope) throw KeyVaultErrors.roleAssignmentNotFound(name);
    return assignment;
  }

  async create(
    scope: string,
    name: string,
    input: { roleDefinitionId: string; principalId: string },
  ): Promise<RoleAssignment> {
    if (!isGuid(name)) throw KeyVaultErrors.badParameter("Role assignment name must be a GUID.");
    if (!isGuid(input.principalId)) {
      throw KeyVaultErrors.badParameter(
        `Principal id '${input.principalId}' is not valid: it must be an object id (a GUID).`,
      );
    }
    const definitionName = parseRoleDefinitionId(input.roleDefinitionId);
    const principalId = input.principalId.toLowerCase();
    const assignment = await this.store.transaction(async (tx) => {
      // The definition is read in the transaction that inserts the assignment, not before it:
      // write transactions run one at a time (platform/store/store.ts), so a definition deleted
      // or narrowed by a concurrent request cannot slip in between the check and the insert.
      // Read inside the write transaction: a definition deleted concurrently either orphans
      // this assignment (the delete runs after) or is seen missing here (it ran before).
      const definition = await this.definitions.find(definitionName, tx);
      if (!definition) throw KeyVaultErrors.roleDefinitionDoesNotExist(input.roleDefinitionId);
      if (!definition.assignableScopes.some((assignable) => scopeCovers(assignable, scope))) {
        throw KeyVaultErrors.badParameter(
          `Role '${definition.roleName}' cannot be assigned at scope '${scope}'; its assignable scopes are ${definition.assignableScopes.join(", ")}.`,
        );
      }
      const assignment: RoleAssignment = {
        name: name.toLowerCase(),
        scope,
        roleDefinitionName: definition.name,
        principalId,
      };
      if (await tx.roleAssignments.get(assignment.name)) {
        throw KeyVaultErrors.roleAssignmentExists(name);
      }
      // An orphaned assignment (its definition deleted, then made again under the same GUID)
      // still holds this grant's place: it is deleted first, so nobody mistakes it for live.
      const same = await tx.roleAssignments.findGrant(scope, definition.name, assignment.principalId);
      if (same?.orphaned) {
        throw KeyVaultErrors.roleAssignmentOrphanExists(input.principalId, scope, same.name);
      }
      if (same) {
        throw KeyVaultErrors.roleAssignmentGrantExists(
          input.principalId,
          definition.roleName,
          scope,
          same.name,
        );
      }
      await this.checkLimit(tx, scope);
      await tx.roleAssignments.insert(assignment, this.clock());
      return assignment;
    });
    this.rbac.invalidate();
    return assignment;
  }

  async delete(scope: string, name: string): Promise<RoleAssignment> {
    const deleted = await this.store.transaction(async (tx) => {
      const existing = isGuid(name) ? await tx.roleAssignments.get(name.toLowerCase()) : undefined;
      if (!existing || existing.scope !== scope) throw KeyVaultErrors.roleAssignmentNotFound(name);
      await tx.roleAssignments.delete(existing.name);
      return existing;
    });
    this.rbac.invalidate();
    return deleted;
  }

  /** Makes sure `principalId` is an Administrator at "/" (initial admin, --administrator). */
  async ensureAdministrator(principalId: string, newName: () => string): Promise<void> {
    const principal = principalId.toLowerCase();
    const existing = await this.store.roleAssignments.findGrant(
      GLOBAL_SCOPE,
      ADMINISTRATOR_ROLE_NAME,
      principal,
    );
    if (existing) return;
    await this.store.roleAssignments.insert(
      {
        name: newName(),
        scope: GLOBAL_SCOPE,
        roleDefinitionName: ADMINISTRATOR_ROLE_NAME,
        principalId: principal,
      },
      this.clock(),
    );
    this.rbac.invalidate();
  }

  private async checkLimit(tx: RbacStore, scope: string): Promise<void> {
    const keyLevel = isKeyScope(scope);
    const limit = keyLevel ? this.limits.roleAssignmentsPerKeyScope : this.limits.roleAssignmentsAtHsmScope;
    const count = await tx.roleAssignments.countAtScopes(keyLevel ? [scope] : [GLOBAL_SCOPE, KEYS_SCOPE]);
    if (count >= limit) {
      const where = keyLevel ? `key scope '${scope}'` : "HSM scope ('/' and '/keys')";
      throw KeyVaultErrors.roleAssignmentLimitExceeded(count, where, limit);
    }
  }
}

/** Accepts a definition's full id in any of its spellings, or its bare GUID. */
export function parseRoleDefinitionId(id: string): string {
  const match = /(?:^|\/roleDefinitions\/)([0-9a-fA-F-]{36})\/?$/.exec(id.trim());
  if (!match || !isGuid(match[1] as string)) {
    throw KeyVaultErrors.badParameter(
      `The role definition id '${id}' is not valid. Expected 'Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{GUID}'.`,
    );
  }
  return (match[1] as string).toLowerCase();
}
