import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";
import type { ChangeFeed } from "../store/change-feed.js";
import { builtInRole } from "./builtin-roles.js";
import { actionMatches } from "./data-actions.js";
import type { Permission, RoleDefinition } from "./models.js";
import { scopeCovers } from "./scope.js";

/**
 * Where the engine reads who holds which role: the RBAC resource's repositories, behind this
 * interface so the platform needs no resource.
 */
export interface GrantSource {
  /** The principal's role assignments: role definition names at scopes. */
  assignmentsOf(principalId: string): Promise<Array<{ scope: string; roleDefinitionName: string }>>;
  /** A custom role definition by name (built-in roles are known here). */
  customRole(name: string): Promise<RoleDefinition | undefined>;
}

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
 * A principal's grants are cached. Any role change drops the cache: at once on the node that
 * made it (`invalidate`, called by the RBAC services after every write), and through the change
 * feed on every other node (PostgreSQL NOTIFY, milliseconds). Entries also expire after
 * `maxAgeMs`, which bounds how long a node can act on an old role if a notification is lost.
 */
export class RbacEngine {
  #grants = new Map<string, { loadedAt: number; grants: Promise<Grant[]> }>();
  #changes: ChangeFeed | undefined;

  constructor(
    private readonly source: GrantSource,
    private readonly maxAgeMs = 5000,
    private readonly clock: () => number = Date.now,
    /** Counts cache hits and misses, for the hit rate on /metrics. */
    private readonly metrics: MetricsRecorder = NO_METRICS,
  ) {}

  /** Hears role changes made on other nodes, and tells them about this node's. */
  follow(changes: ChangeFeed): void {
    this.#changes = changes;
    changes.subscribe("rbac", () => this.dropCache());
  }

  async can(principalId: string, dataAction: string, scope: string): Promise<boolean> {
    const grants = await this.grantsOf(principalId);
    return grants.some(
      (grant) => scopeCovers(grant.scope, scope) && grant.permissions.some((p) => permits(p, dataAction)),
    );
  }

  /** After a role change on this node: drop the cache here and announce it to the others. */
  invalidate(): void {
    this.dropCache();
    void this.#changes?.publish("rbac").catch(() => undefined);
  }

  private dropCache(): void {
    this.#grants = new Map();
  }

  private grantsOf(principalId: string): Promise<Grant[]> {
    const now = this.clock();
    const cached = this.#grants.get(principalId);
    const fresh = cached !== undefined && now - cached.loadedAt < this.maxAgeMs;
    this.metrics.rbacLookup(fresh);
    if (fresh) return cached.grants;
    const grants = this.loadGrants(principalId);
    const cache = this.#grants;
    if (cache.size > 10_000) cache.clear();
    cache.set(principalId, { loadedAt: now, grants });
    // A failed load must not stay cached.
    grants.catch(() => cache.delete(principalId));
    return grants;
  }

  private async loadGrants(principalId: string): Promise<Grant[]> {
    const assignments = await this.source.assignmentsOf(principalId);
    const grants: Grant[] = [];
    for (const assignment of assignments) {
      const definition: RoleDefinition | undefined =
        builtInRole(assignment.roleDefinitionName) ??
        (await this.source.customRole(assignment.roleDefinitionName));
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
