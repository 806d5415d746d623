import { join } from "node:path";
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import pg from "pg";
import type { DomainError } from "../errors/domain-error.js";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
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
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardStorageErrors(pool) }) }),
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

/**
 * PostgreSQL's disk_full (SQLSTATE 53100) is the client's 507 InsufficientStorage with the
 * reason, not a 500. PostgreSQL has aborted the statement's transaction; Kysely's ROLLBACK
 * then ends it, so nothing of it stays.
 */
function guardStorageErrors(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const guard = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((sqlOrCursor: unknown, parameters?: unknown[]) => {
      if (typeof sqlOrCursor !== "string") return client.query(sqlOrCursor as never);
      return client.query(sqlOrCursor, parameters).catch((error: unknown) => {
        throw postgresStorageError(error) ?? error;
      });
    }) as unknown as PostgresPoolClient["query"],
    release: () => client.release(),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let guarded = clients.get(client);
      if (!guarded) clients.set(client, (guarded = guard(client)));
      return guarded;
    },
    end: () => pool.end(),
  };
}

/** The 507 for PostgreSQL's disk_full; undefined for any other error. */
export function postgresStorageError(error: unknown): DomainError | undefined {
  if ((error as { code?: unknown }).code !== "53100") return undefined;
  return KeyVaultErrors.databaseCannotStore("its disk is full", "the database server's disk");
}
