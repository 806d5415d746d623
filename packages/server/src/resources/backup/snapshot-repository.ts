import type { Kysely } from "kysely";
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
 * Rows of a backup written by an older schema, brought to what later migrations did to stored
 * rows: key scopes of role assignments are lower case since migration 0005 (key names are
 * case-insensitive); two assignments that then name the same grant become one, the oldest.
 */
export function upgradeRows(table: HsmStateTable, rows: Row[]): Row[] {
  if (table !== "role_assignments") return rows;
  const seen = new Set<string>();
  const sorted = [...rows].sort(
    (a, b) => Number(a.created_at) - Number(b.created_at) || String(a.name).localeCompare(String(b.name)),
  );
  const upgraded: Row[] = [];
  for (const row of sorted) {
    const scope = String(row.scope);
    const lowered = scope.startsWith("/keys/") ? scope.toLowerCase() : scope;
    const grant = `${lowered} ${String(row.role_definition_name)} ${String(row.principal_id)}`;
    if (seen.has(grant)) continue;
    seen.add(grant);
    upgraded.push(lowered === scope ? row : { ...row, scope: lowered });
  }
  return upgraded;
}

/** Whole-table reads and writes for backup and restore; callers run them inside a transaction. */
export class SnapshotRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly principals: PrincipalRepository,
  ) {}

  async readAll(): Promise<Record<HsmStateTable, Row[]>> {
    const snapshot = {} as Record<HsmStateTable, Row[]>;
    for (const table of HSM_STATE_TABLES) {
      snapshot[table] = (await this.db.selectFrom(table).selectAll().execute()) as Row[];
    }
    return snapshot;
  }

  /** Replaces every HSM-state table with the given rows. */
  async replaceAll(rows: Partial<Record<HsmStateTable, Row[]>>): Promise<void> {
    for (const table of [...HSM_STATE_TABLES].reverse()) await this.db.deleteFrom(table).execute();
    for (const table of HSM_STATE_TABLES) await this.insert(table, upgradeRows(table, rows[table] ?? []));
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
