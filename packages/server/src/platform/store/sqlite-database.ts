import BetterSqlite3 from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from "kysely";
import type { DomainError } from "../errors/domain-error.js";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import type { Database } from "./schema.js";
import { SplitSqliteDialect } from "./sqlite-split-driver.js";

/**
 * The embedded backend: one SQLite file, with two connections. The writer runs transactions and
 * writes one at a time; a read-only connection answers the SELECTs made outside a transaction
 * beside it (WAL: readers see the last commit and never wait for the writer), so a long write
 * transaction does not hold up reads (sqlite-split-driver.ts). The busy timeout covers a second
 * process (e.g. `mhsm principal` against a stopped server's file).
 */
export function openSqliteDatabase(file: string): Kysely<Database> {
  const writer = new BetterSqlite3(file);
  writer.pragma("journal_mode = WAL");
  writer.pragma("synchronous = NORMAL");
  writer.pragma("busy_timeout = 5000");
  writer.pragma("foreign_keys = ON");
  // An in-memory database exists on its one connection only.
  if (file === ":memory:") {
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: guardStorageErrors(writer) }) });
  }
  const reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  reader.pragma("busy_timeout = 5000");
  return new Kysely<Database>({
    dialect: new SplitSqliteDialect(guardStorageErrors(writer), guardStorageErrors(reader)),
  });
}

/** Result codes that mean the disk under the database failed the write (full, or an I/O error). */
const STORAGE_FAILURE = /^SQLITE_(FULL|IOERR|CANTOPEN)/;

/**
 * A write that cannot be stored is the client's 507 InsufficientStorage with the reason, not a
 * 500. On SQLITE_FULL or an I/O error SQLite may already have rolled the whole transaction
 * back; Kysely's ROLLBACK would then fail with "cannot rollback - no transaction is active" and
 * hide the real error, so a ROLLBACK with no transaction open is a no-op here. When the
 * transaction is still open, the ROLLBACK runs: nothing of it stays.
 */
export function guardStorageErrors(connection: BetterSqlite3.Database): SqliteDatabase {
  // Kysely prepares every query it runs, and preparing (parsing and planning the SQL) cost more
  // than running the statement: a fifth of the CPU of a request on a key whose lookup was not
  // cached (npm run bench, many keys, profiled). The server's queries are a few hundred texts
  // with parameters, so each is prepared once and kept; past MAX_CACHED_STATEMENTS (only ad hoc
  // SQL could get there) the cache starts over.
  const prepared = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql: string): SqliteStatement {
      const cached = prepared.get(sql);
      if (cached) return cached;
      const statement = guarded(() => connection.prepare(sql));
      const rollback = /^\s*rollback\s*;?\s*$/i.test(sql);
      const wrapped: SqliteStatement = {
        reader: statement.reader,
        all: (parameters) => guarded(() => statement.all(parameters)),
        run: (parameters) =>
          rollback && !connection.inTransaction
            ? { changes: 0, lastInsertRowid: 0 }
            : guarded(() => statement.run(parameters)),
        // A statement being iterated is busy until its iterator ends: a stream gets a statement of
        // its own, so a cached one is never busy when the next query wants it.
        iterate: (parameters) => guardedIterator(guarded(() => connection.prepare(sql)).iterate(parameters)),
      };
      if (prepared.size >= MAX_CACHED_STATEMENTS) prepared.clear();
      prepared.set(sql, wrapped);
      return wrapped;
    },
  };
}

const MAX_CACHED_STATEMENTS = 2000;

function guarded<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw sqliteStorageError(error) ?? error;
  }
}

function* guardedIterator<T>(iterator: IterableIterator<T>): IterableIterator<T> {
  for (;;) {
    const next = guarded(() => iterator.next());
    if (next.done) return;
    yield next.value;
  }
}

/** The 507 for a SQLite error that means the disk failed the write; undefined for any other error. */
export function sqliteStorageError(error: unknown): DomainError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !STORAGE_FAILURE.test(code)) return undefined;
  const reason = code.startsWith("SQLITE_FULL")
    ? "its disk is full"
    : `its disk failed the operation (${code})`;
  return KeyVaultErrors.databaseCannotStore(reason, "the database's disk");
}
