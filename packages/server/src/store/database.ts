import { join } from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { openSqliteDatabase } from "./sqlite-database.js";

export type Dialect = "sqlite" | "postgres";

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A connection string for the change feed's own listening connection (PostgreSQL only). */
  connectionString?: string;
  /** Where the data lives, for messages: a file path or the URL without its password. */
  description: string;
}

// int8 (bigint, count(*)) as numbers: every int8 the server stores is a unix-millisecond
// timestamp, a count or a 0/1 flag, all far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * Opens the store's database: "sqlite" (the embedded default, <dataDir>/mhsm.db) or a
 * postgres:// URL, for several server nodes sharing one HSM.
 */
export function openDatabase(store: string, dataDir: string): OpenedDatabase {
  if (store === "sqlite") {
    const file = join(dataDir, "mhsm.db");
    return { db: openSqliteDatabase(file), dialect: "sqlite", description: file };
  }
  const pool = new pg.Pool({ connectionString: store, max: 10, application_name: "mhsm" });
  // A broken idle connection must not crash the server; the pool replaces it.
  pool.on("error", () => undefined);
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: "postgres",
    connectionString: store,
    description: redactPassword(store),
  };
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}
