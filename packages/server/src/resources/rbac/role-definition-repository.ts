import { type Kysely, sql } from "kysely";
import { inCodePointOrder } from "../../platform/store/text-order.js";
import type { Permission, RoleDefinition } from "../../platform/authorization/models.js";
import type { Database, RoleDefinitionTable } from "../../platform/store/schema.js";

/** Custom role definitions only; built-in roles live in code (authorization/builtin-roles.ts). */
export class RoleDefinitionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<RoleDefinition | undefined> {
    const row = await this.db
      .selectFrom("role_definitions")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toModel(row);
  }

  /**
   * One page of custom roles by name (code-point order): the `limit` after `after`, those named
   * `roleName` (case-insensitively) only when it is given.
   */
  async listPage(after: string | undefined, limit: number, roleName?: string): Promise<RoleDefinition[]> {
    const name = inCodePointOrder(this.db, sql.ref<string>("name"));
    let query = this.db.selectFrom("role_definitions").selectAll();
    if (roleName !== undefined) query = query.where(sql`lower(role_name)`, "=", roleName.toLowerCase());
    if (after !== undefined) query = query.where(name, ">", after);
    const rows = await query.orderBy(name).limit(limit).execute();
    return rows.map(toModel);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("role_definitions")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(definition: RoleDefinition, now: number): Promise<void> {
    await this.db
      .insertInto("role_definitions")
      .values({ ...toRow(definition), created_at: now, updated_at: now })
      .execute();
  }

  async update(definition: RoleDefinition, now: number): Promise<void> {
    await this.db
      .updateTable("role_definitions")
      .set({ ...toRow(definition), updated_at: now })
      .where("name", "=", definition.name)
      .execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom("role_definitions").where("name", "=", name).execute();
  }
}

function toRow(definition: RoleDefinition): Omit<RoleDefinitionTable, "created_at" | "updated_at"> {
  return {
    name: definition.name,
    role_name: definition.roleName,
    description: definition.description,
    permissions: JSON.stringify(definition.permissions),
    assignable_scopes: JSON.stringify(definition.assignableScopes),
  };
}

function toModel(row: RoleDefinitionTable): RoleDefinition {
  return {
    name: row.name,
    roleName: row.role_name,
    description: row.description,
    roleType: "CustomRole",
    permissions: JSON.parse(row.permissions) as Permission[],
    assignableScopes: JSON.parse(row.assignable_scopes) as string[],
  };
}
