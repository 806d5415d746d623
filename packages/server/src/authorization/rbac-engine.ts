import type { Store } from "../store/store.js";
import { builtInRole } from "./builtin-roles.js";
import { actionMatches } from "./data-actions.js";
import type { Permission, RoleDefinition } from "./models.js";
import { scopeCovers } from "./scope.js";

/** One grant a principal holds: a role's permissions at a scope. */
interface Grant {
  scope: string;
  permissions: Permission[];
}

/**
 * The RBAC decision: `can(principalId, dataAction, scope)`. Deny by default. A role grants an
 * action when one of its permissions lists a matching data action and no matching notDataAction
 * in that same permission; notDataActions subtract, they do not deny what another role grants.
 *
 * A principal's grants are cached until any role definition or assignment changes in this
 * process (`invalidate`, called by the RBAC services after every write).
 */
export class RbacEngine {
  #grants = new Map<string, Promise<Grant[]>>();

  constructor(private readonly store: Store) {}

  async can(principalId: string, dataAction: string, scope: string): Promise<boolean> {
    const grants = await this.grantsOf(principalId);
    return grants.some(
      (grant) => scopeCovers(grant.scope, scope) && grant.permissions.some((p) => permits(p, dataAction)),
    );
  }

  invalidate(): void {
    this.#grants = new Map();
  }

  private grantsOf(principalId: string): Promise<Grant[]> {
    let grants = this.#grants.get(principalId);
    if (!grants) {
      grants = this.loadGrants(principalId);
      const cache = this.#grants;
      if (cache.size > 10_000) cache.clear();
      cache.set(principalId, grants);
      // A failed load must not stay cached.
      grants.catch(() => cache.delete(principalId));
    }
    return grants;
  }

  private async loadGrants(principalId: string): Promise<Grant[]> {
    const assignments = await this.store.roleAssignments.listForPrincipal(principalId);
    const grants: Grant[] = [];
    for (const assignment of assignments) {
      const definition: RoleDefinition | undefined =
        builtInRole(assignment.roleDefinitionName) ??
        (await this.store.roleDefinitions.get(assignment.roleDefinitionName));
      if (definition) grants.push({ scope: assignment.scope, permissions: definition.permissions });
    }
    return grants;
  }
}

export function permits(permission: Permission, dataAction: string): boolean {
  return (
    permission.dataActions.some((pattern) => actionMatches(pattern, dataAction)) &&
    !permission.notDataActions.some((pattern) => actionMatches(pattern, dataAction))
  );
}
