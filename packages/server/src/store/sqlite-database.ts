import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema.js";

/**
 * The embedded backend: one SQLite file. WAL lets readers run beside the writer; the busy
 * timeout covers a second process (e.g. `mhsm principal` against a stopped server's file).
 * Kysely's SQLite dialect serialises transactions on its single connection.
 */
export function openSqliteDatabase(file: string): Kysely<Database> {
  const connection = new BetterSqlite3(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
}
