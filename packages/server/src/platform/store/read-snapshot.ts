import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import type { Dialect } from "./database.js";
import type { Database } from "./schema.js";
import { guardStorageErrors } from "./sqlite-database.js";

/**
 * Runs `work` over one consistent snapshot of the database that writers do not wait for, however
 * long it takes (a backup reading 100,000 keys while the HSM keeps serving).
 *
 * PostgreSQL: a read-only REPEATABLE READ transaction on a pooled connection of its own; every
 * statement in it sees the database as of its first one, and it takes no lock writers wait for.
 *
 * SQLite: the store's writer runs one transaction at a time, and its reader answers single
 * statements that any request may need, so a long read on either would hold up others. Instead a
 * connection of its own, read-only, opens a read transaction: in WAL mode it keeps seeing the
 * database as of its first read while the writer goes on writing and committing beside it.
 */
export async function inReadSnapshot<T>(
  db: Kysely<Database>,
  dialect: Dialect,
  work: (snapshot: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (dialect === "postgres") {
    return db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(work);
  }
  const file = await databaseFile(db);
  // The server's database is always a file; an in-memory one could not be opened twice.
  if (!file) throw new Error("A read snapshot of SQLite needs a database file, not an in-memory database.");
  const connection = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  connection.pragma("busy_timeout = 5000");
  const reader = new Kysely<Database>({
    dialect: new SqliteDialect({ database: guardStorageErrors(connection) }),
  });
  try {
    return await reader.transaction().execute(async (trx) => {
      // A deferred transaction takes its snapshot at its first read: take it now, before `work`
      // does anything else (e.g. reports progress) that could let a write in first.
      await sql`SELECT count(*) FROM sqlite_master`.execute(trx);
      return work(trx);
    });
  } finally {
    await reader.destroy();
  }
}

async function databaseFile(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db);
  return rows.find((row) => row.name === "main")?.file || undefined;
}
