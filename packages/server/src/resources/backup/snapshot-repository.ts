import { type Kysely, sql } from "kysely";
import { isPostgres } from "../../platform/store/text-order.js";
import { named } from "../keys/key-repository.js";
import type { PrincipalRepository } from "../identity/principal-repository.js";
import type { Database } from "../../platform/store/schema.js";

/**
 * The tables that are "the HSM" for backup and restore: keys with all their versions (private
 * material stays sealed by the barrier inside the rows), custom role definitions and role
 * assignments. Identity-provider principals, settings, jobs and server metadata are not part
 * of an HSM backup. Listed in insert order (parents first).
 */
export const HSM_STATE_TABLES = ["keys", "key_versions", "role_definitions", "role_assignments"] as const;
export type HsmStateTable = (typeof HSM_STATE_TABLES)[number];
export type Row = Record<string, unknown>;

const INSERT_BATCH = 200;

/**
 * A role assignment of a backup written by an older schema, brought to what later migrations did
 * to stored rows: key scopes are lower case since migration 0005 (key names are
 * case-insensitive). The same row when it needs no change (every backup made since).
 */
export function lowerKeyScope(row: Row): Row {
  const scope = String(row.scope);
  const lowered = scope.startsWith("/keys/") ? scope.toLowerCase() : scope;
  return lowered === scope ? row : { ...row, scope: lowered };
}

/**
 * The order a backup reads each table in, one pass over an index or one sort: keys and their
 * versions by folded name (code-point order on both backends, so a manifest can say which names
 * a chunk spans and a selective restore compares them in JavaScript), role assignments oldest
 * first (the order 0005's upgrade keeps the oldest of coinciding grants in).
 */
function readOrder(table: HsmStateTable, postgres: boolean): string {
  const c = postgres ? ' COLLATE "C"' : "";
  switch (table) {
    case "keys":
      return `lower(name)${c}, name${c}`;
    case "key_versions":
      return `lower(name)${c}, created_at, version${c}`;
    case "role_definitions":
      return `name${c}`;
    case "role_assignments":
      return `created_at, name${c}`;
  }
}

/**
 * Table reads and writes for backup and restore. Reads run in a read snapshot
 * (Store.readSnapshot), writes in a transaction; both page, so memory holds one page of rows.
 */
export class SnapshotRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly principals: PrincipalRepository,
  ) {}

  async count(table: HsmStateTable): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Every row of `table` in readOrder, `size` rows at a time: on PostgreSQL through a cursor (one
   * sort or index scan, fetched page by page), on SQLite by stepping one statement. Never the
   * whole table at once, and never a query per page that re-reads what came before.
   */
  async *pages(table: HsmStateTable, size: number): AsyncGenerator<Row[]> {
    const postgres = isPostgres(this.db);
    const order = sql.raw(readOrder(table, postgres));
    if (postgres) {
      const cursor = sql.raw(`mhsm_backup_${table}`);
      await sql`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT * FROM ${sql.table(table)} ORDER BY ${order}`.execute(
        this.db,
      );
      try {
        for (;;) {
          const { rows } = await sql<Row>`FETCH FORWARD ${sql.raw(String(size))} FROM ${cursor}`.execute(
            this.db,
          );
          if (rows.length > 0) yield rows;
          if (rows.length < size) return;
        }
      } finally {
        await sql`CLOSE ${cursor}`.execute(this.db).catch(() => undefined);
      }
      return;
    }
    let page: Row[] = [];
    for await (const row of this.db.selectFrom(table).selectAll().orderBy(order).stream()) {
      page.push(row as Row);
      if (page.length === size) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  /** Empties every HSM-state table (children first), for a full restore in the same transaction. */
  async clear(): Promise<void> {
    for (const table of [...HSM_STATE_TABLES].reverse()) await this.db.deleteFrom(table).execute();
  }

  /**
   * Inserts role assignments of an older backup (lowerKeyScope applied) one by one, keeping the
   * oldest of those that now name the same grant (as migration 0005 did): a later one replaces an
   * earlier-inserted one only when it is older. Asks the database rather than remembering the
   * grants seen, so memory stays one page whatever the number of assignments.
   */
  async mergeRoleAssignments(rows: Row[]): Promise<void> {
    for (const row of rows) {
      const same = await this.db
        .selectFrom("role_assignments")
        .select(["name", "created_at"])
        .where("scope", "=", String(row.scope))
        .where("role_definition_name", "=", String(row.role_definition_name))
        .where("principal_id", "=", String(row.principal_id))
        .executeTakeFirst();
      if (same) {
        const older =
          Number(row.created_at) < Number(same.created_at) ||
          (Number(row.created_at) === Number(same.created_at) && String(row.name) < same.name);
        if (!older) continue;
        await this.db.deleteFrom("role_assignments").where("name", "=", same.name).execute();
      }
      await this.insert("role_assignments", [row]);
    }
  }

  /**
   * Principals of the embedded identity provider, with their secret hashes opened (the backup's
   * encryption protects them; see PrincipalRepository.exportForBackup). They travel with a
   * backup so the restored role assignments name identities that can still sign in.
   */
  readPrincipals(): Promise<Row[]> {
    return this.principals.exportForBackup();
  }

  /** Adds the principals this HSM does not have yet; existing ones stay as they are. */
  mergePrincipals(rows: Row[]): Promise<number> {
    return this.principals.mergeFromBackup(rows);
  }

  /** The key of this name (any spelling), live or soft-deleted, as stored. */
  async keyRow(name: string): Promise<{ name: string; deleted: boolean } | undefined> {
    const row = await this.db
      .selectFrom("keys")
      .select(["name", "deleted_at"])
      .where(named(name))
      .executeTakeFirst();
    return row && { name: row.name, deleted: row.deleted_at !== null };
  }

  /** The version identifiers a key has now. */
  async versionIdsOf(name: string): Promise<string[]> {
    const rows = await this.db.selectFrom("key_versions").select("version").where(named(name)).execute();
    return rows.map((row) => row.version);
  }

  async insert(table: HsmStateTable, rows: Row[]): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      // Rows come from an authenticated backup of the same schema; Kysely quotes every column.
      await this.db
        .insertInto(table)
        .values(rows.slice(start, start + INSERT_BATCH) as never)
        .execute();
    }
  }
}
