import type { GrantSource } from "../../platform/authorization/rbac-engine.js";
import type { Store } from "../../platform/store/store.js";
import type { RoleDefinitionRepository } from "./role-definition-repository.js";
import { type Kysely, sql } from "kysely";
import { inCodePointOrder } from "../../platform/store/text-order.js";
import type { RoleAssignment } from "../../platform/authorization/models.js";
import type { Database, RoleAssignmentTable } from "../../platform/store/schema.js";

export class RoleAssignmentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<RoleAssignment | undefined> {
    const row = await this.db
      .selectFrom("role_assignments")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toModel(row);
  }

  /**
   * One page of assignments by name (code-point order): the `limit` after `after`, at one of
   * `scopes` (any scope when undefined) and of `principalId` (anyone's when undefined). Each
   * scope is its own keyset query on an index that starts with the filters and ends with the
   * name, so a page reads its own rows whatever the table holds; the (at most three) sorted
   * answers are merged here.
   */
  async listPage(
    filter: { scopes?: string[] | undefined; principalId?: string | undefined },
    after: string | undefined,
    limit: number,
  ): Promise<RoleAssignment[]> {
    const name = inCodePointOrder(this.db, sql.ref<string>("name"));
    const page = (scope: string | undefined) => {
      let query = this.db.selectFrom("role_assignments").selectAll();
      if (filter.principalId !== undefined) query = query.where("principal_id", "=", filter.principalId);
      if (scope !== undefined) query = query.where("scope", "=", scope);
      if (after !== undefined) query = query.where(name, ">", after);
      return query.orderBy(name).limit(limit).execute();
    };
    const pages = await Promise.all((filter.scopes ?? [undefined]).map(page));
    return pages
      .flat()
      .sort((a, b) => byCodePoint(a.name, b.name))
      .slice(0, limit)
      .map(toModel);
  }

  /** The principal's assignments at these scopes that grant something: orphaned ones are left out. */
  async listGranting(principalId: string, scopes: string[]): Promise<RoleAssignment[]> {
    const rows = await this.db
      .selectFrom("role_assignments")
      .selectAll()
      .where("principal_id", "=", principalId)
      .where("scope", "in", scopes)
      .where("orphaned_at", "is", null)
      .execute();
    return rows.map(toModel);
  }

  async findGrant(
    scope: string,
    roleDefinitionName: string,
    principalId: string,
  ): Promise<RoleAssignment | undefined> {
    const row = await this.db
      .selectFrom("role_assignments")
      .selectAll()
      .where("scope", "=", scope)
      .where("role_definition_name", "=", roleDefinitionName)
      .where("principal_id", "=", principalId)
      .executeTakeFirst();
    return row && toModel(row);
  }

  async countAtScopes(scopes: string[]): Promise<number> {
    const row = await this.db
      .selectFrom("role_assignments")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("scope", "in", scopes)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Marks the assignments of a role definition being deleted: they stay listed, as the service
   * keeps them, and grant nothing from now on (see RoleDefinitionService.delete).
   */
  async orphanForRoleDefinition(roleDefinitionName: string, now: number): Promise<number> {
    const result = await this.db
      .updateTable("role_assignments")
      .set({ orphaned_at: now })
      .where("role_definition_name", "=", roleDefinitionName)
      .where("orphaned_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async insert(assignment: RoleAssignment, now: number): Promise<void> {
    await this.db
      .insertInto("role_assignments")
      .values({
        name: assignment.name,
        scope: assignment.scope,
        role_definition_name: assignment.roleDefinitionName,
        principal_id: assignment.principalId,
        created_at: now,
      })
      .execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom("role_assignments").where("name", "=", name).execute();
  }

  /** Removes every assignment of a principal (at every scope); how many there were. */
  async deleteForPrincipal(principalId: string): Promise<number> {
    const result = await this.db
      .deleteFrom("role_assignments")
      .where("principal_id", "=", principalId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** JavaScript's string order, which is code-point order for the names stored here (GUIDs). */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function toModel(row: RoleAssignmentTable): RoleAssignment {
  return {
    name: row.name,
    scope: row.scope,
    roleDefinitionName: row.role_definition_name,
    principalId: row.principal_id,
    ...(row.orphaned_at == null ? {} : { orphaned: true }),
  };
}

/** A store with the RBAC repositories: role definitions and role assignments. */
export type RbacStore = Store<{
  roleDefinitions: RoleDefinitionRepository;
  roleAssignments: RoleAssignmentRepository;
}>;

/** The RBAC engine's view of the store: who holds which role, and the custom roles. */
export function grantSourceOf(store: RbacStore): GrantSource {
  return {
    assignmentsOf: (principalId, scopes) => store.roleAssignments.listGranting(principalId, scopes),
    customRole: (name) => store.roleDefinitions.get(name),
  };
}
