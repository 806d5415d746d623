import { type Expression, PostgresAdapter, type RawBuilder, sql } from "kysely";

/** A Kysely connection or transaction, of any schema. */
interface Connection {
  getExecutor(): { readonly adapter: unknown };
}

/**
 * Keyset paging compares text: a page starts after the last name of the one before, and the
 * database must order names exactly as that comparison does, or a page repeats or skips rows.
 * SQLite compares text bytewise (BINARY), which for UTF-8 is code-point order. PostgreSQL
 * compares in the database's collation, which follows its locale: en_US.UTF-8, for one, ignores
 * hyphens at first ("a-c" sorts after "ab"). `COLLATE "C"` makes PostgreSQL compare bytewise
 * too, and the indexes of migration 0008 are built in that collation so they serve the order.
 */
export function inCodePointOrder<T>(db: Connection, expression: Expression<T>): RawBuilder<T> {
  return isPostgres(db) ? sql<T>`${expression} COLLATE "C"` : sql<T>`${expression}`;
}

/**
 * Whether a connection (or transaction) is PostgreSQL's. Read from the dialect's adapter, which
 * Kysely's own migrator reads the same way (getExecutor is public, if marked internal in its
 * typings), so repositories and migrations need no dialect passed through every constructor.
 */
export function isPostgres(db: Connection): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
