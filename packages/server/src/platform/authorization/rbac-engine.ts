import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";
import { MemoryBoundedCache } from "../cache/memory-bounded-cache.js";
import type { ChangeFeed } from "../store/change-feed.js";
import { builtInRole } from "./builtin-roles.js";
import { actionMatches } from "./data-actions.js";
import type { Permission, RoleDefinition } from "./models.js";
import { scopeAndAncestors } from "./scope.js";

/**
 * Where the engine reads who holds which role: the RBAC resource's repositories, behind this
 * interface so the platform needs no resource.
 */
export interface GrantSource {
  /**
   * The principal's role assignments at any of `scopes` that grant something (orphaned ones
   * left out): role definition names at scopes. One indexed query, however many assignments
   * the HSM or the principal holds elsewhere.
   */
  assignmentsOf(
    principalId: string,
    scopes: string[],
  ): Promise<Array<{ scope: string; roleDefinitionName: string }>>;
  /** A custom role definition by name (built-in roles are known here). */
  customRole(name: string): Promise<RoleDefinition | undefined>;
}

interface Cached<T> {
  loadedAt: number;
  value: Promise<T>;
}

/**
 * The RBAC decision: `can(principalId, dataAction, scope)`. Deny by default. A role grants an
 * action when one of its permissions lists a matching data action and no matching notDataAction
 * in that same permission; notDataActions subtract, they do not deny what another role grants.
 *
 * What is cached is, per principal and scope, the permissions that apply there: those of the
 * principal's assignments at the scope and above it (a key scope, "/keys", "/"). Loading them
 * reads only those assignments, and a decision looks at only them, so a decision costs the
 * same with ten assignments in the HSM or fifty thousand. The cache is bounded by memory
 * (`maxBytes`), least recently used out first. Any role change drops it: at once on the node
 * that made it (`invalidate`, called by the RBAC services after every write), and through the
 * change feed on every other node (PostgreSQL NOTIFY, milliseconds). An entry is used while it,
 * or the feed's proof of delivery (`deliveredThrough`), is younger than `maxAgeMs`: with a live
 * feed, until a role changes; with a silent one, `maxAgeMs` bounds how long a node can act on an
 * old role whose notification was lost.
 */
export class RbacEngine {
  #permissions: MemoryBoundedCache<string, Cached<Permission[]>>;
  #customRoles = new Map<string, Cached<RoleDefinition | undefined>>();
  #changes: ChangeFeed | undefined;

  constructor(
    private readonly source: GrantSource,
    private readonly maxAgeMs = 5000,
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly clock: () => number = Date.now,
    /** Counts cache hits and misses, for the hit rate on /metrics. */
    private readonly metrics: MetricsRecorder = NO_METRICS,
  ) {
    this.#permissions = new MemoryBoundedCache(maxBytes);
  }

  /** Hears role changes made on other nodes, and tells them about this node's. */
  follow(changes: ChangeFeed): void {
    this.#changes = changes;
    changes.subscribe("rbac", () => this.dropCache());
  }

  async can(principalId: string, dataAction: string, scope: string): Promise<boolean> {
    const permissions = await this.permissionsAt(principalId, scope);
    return permissions.some((permission) => permits(permission, dataAction));
  }

  /** After a role change on this node: drop the cache here and announce it to the others. */
  invalidate(): void {
    this.dropCache();
    void this.#changes?.publish("rbac").catch(() => undefined);
  }

  /** Younger than maxAgeMs, or vouched for by the change feed's proof of delivery since. */
  private fresh(cached: Cached<unknown>, now: number): boolean {
    const delivered = this.#changes?.deliveredThrough() ?? Number.NEGATIVE_INFINITY;
    return now - Math.max(cached.loadedAt, delivered) < this.maxAgeMs;
  }

  private dropCache(): void {
    this.#permissions = new MemoryBoundedCache(this.maxBytes);
    this.#customRoles = new Map();
  }

  private permissionsAt(principalId: string, scope: string): Promise<Permission[]> {
    const now = this.clock();
    const id = `${principalId}\n${scope}`;
    // Loads land in the cache of their moment: one dropped meanwhile is read by nobody.
    const cache = this.#permissions;
    const cached = cache.get(id);
    const fresh = cached !== undefined && this.fresh(cached, now);
    this.metrics.rbacLookup(fresh);
    if (fresh) return cached.value;
    const value = this.loadPermissions(principalId, scope);
    const entry = { loadedAt: now, value };
    cache.set(id, entry, ENTRY_BYTES + id.length);
    value.then(
      (permissions) => {
        if (cache.get(id) === entry) cache.set(id, entry, ENTRY_BYTES + id.length + 16 * permissions.length);
      },
      // A failed load must not stay cached.
      () => {
        if (cache.get(id) === entry) cache.remove(id);
      },
    );
    return value;
  }

  private async loadPermissions(principalId: string, scope: string): Promise<Permission[]> {
    const assignments = await this.source.assignmentsOf(principalId, scopeAndAncestors(scope));
    const permissions: Permission[] = [];
    for (const assignment of assignments) {
      const definition =
        builtInRole(assignment.roleDefinitionName) ?? (await this.customRole(assignment.roleDefinitionName));
      if (definition) permissions.push(...definition.permissions);
    }
    return permissions;
  }

  /** Custom roles are few (a limit of 50 by default): each is read once per cache lifetime. */
  private customRole(name: string): Promise<RoleDefinition | undefined> {
    const now = this.clock();
    const roles = this.#customRoles;
    const cached = roles.get(name);
    if (cached && this.fresh(cached, now)) return cached.value;
    const value = this.source.customRole(name);
    roles.set(name, { loadedAt: now, value });
    value.catch(() => roles.delete(name));
    return value;
  }
}

/** A decision's entry: its key, the map's and the promise's share, and the array. */
const ENTRY_BYTES = 300;

export function permits(permission: Permission, dataAction: string): boolean {
  return (
    permission.dataActions.some((pattern) => actionMatches(pattern, dataAction)) &&
    !permission.notDataActions.some((pattern) => actionMatches(pattern, dataAction))
  );
}
