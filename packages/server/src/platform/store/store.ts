import { type Kysely, sql } from "kysely";
import { MetaRepository } from "./meta-repository.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import type { Dialect } from "./database.js";
import { inReadSnapshot } from "./read-snapshot.js";

/** Any fixed number: the advisory lock every write transaction of every node takes on PostgreSQL. */
const WRITE_LOCK = 0x6d68736d; // "mhsm"

/** Serialization failures and deadlocks (PostgreSQL), and unique violations: run the work again. */
const RETRYABLE = new Set([
  "40001",
  "40P01",
  "23505",
  "SQLITE_BUSY",
  "SQLITE_CONSTRAINT_UNIQUE",
  "SQLITE_CONSTRAINT_PRIMARYKEY",
]);
const MAX_ATTEMPTS = 8;

/** Builds the repositories a store offers over a connection or a transaction. */
export type RepositoryFactory<R extends object> = (db: Kysely<Database>) => R;

/** The repositories every store has: the platform's own. */
export interface PlatformRepositories {
  meta: MetaRepository;
}

/**
 * A store: a transaction runner over one database handle, plus the repositories the composition
 * root gave it (each resource brings its own; the platform knows none of them). `transaction`
 * hands the callback a store bound to the transaction, with the same repositories, so a service
 * can read, check a limit and write as one unit. Services name the repositories they use:
 * `Store<{ keys: KeyRepository }>` is any store that has at least those.
 */
export type Store<R extends object = object> = TransactionRunner<R> & PlatformRepositories & R;

/**
 * The backend (SQLite, or PostgreSQL for several nodes) is only the Kysely dialect underneath.
 *
 * Write transactions run one at a time, whatever the number of nodes: SQLite has one writer
 * by nature; on PostgreSQL every write transaction first takes one transaction-scoped advisory
 * lock. So a check-then-write (a name is free, a limit is not reached, the next version) holds
 * with many nodes writing at once, without the false conflicts of SERIALIZABLE's predicate
 * locks. Reads outside transactions, and read-only transactions (snapshots), do not wait.
 * Should a unique violation still surface (a write made outside a transaction), the work is run
 * again and reports its own clear error (e.g. 409 Conflict) instead of a database error.
 */
export class TransactionRunner<R extends object> {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly repositories: RepositoryFactory<R>,
  ) {}

  /** Migrates the database to the latest schema, then opens a store over it. */
  static async open<R extends object>(
    db: Kysely<Database>,
    dialect: Dialect,
    repositories: RepositoryFactory<R>,
  ): Promise<Store<R>> {
    // Several nodes may start at once: Kysely's migrator takes a lock in the database.
    await migrateToLatest(db as unknown as Kysely<unknown>);
    return bindStore(db, dialect, repositories);
  }

  /** `tx` is a store of the caller's own type (`this`), bound to the transaction. */
  async transaction<T>(work: (tx: this) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const postgres = this.dialect === "postgres";
        const builder = this.db.transaction();
        // A read-only transaction on PostgreSQL sees one snapshot throughout (repeatable read).
        const transaction =
          postgres && options.readOnly
            ? builder.setIsolationLevel("repeatable read").setAccessMode("read only")
            : builder;
        return await transaction.execute(async (trx) => {
          if (postgres && !options.readOnly)
            await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`.execute(trx);
          return work(bindStore(trx, this.dialect, this.repositories) as unknown as this);
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
        // Back off a little, with jitter, so racing writers do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * `work` reads one consistent snapshot, for as long as it needs, while writers go on beside
   * it (read-snapshot.ts); `snapshot` is a store of the caller's type bound to it. Read only.
   */
  readSnapshot<T>(work: (snapshot: this) => Promise<T>): Promise<T> {
    return inReadSnapshot(this.db, this.dialect, (db) =>
      work(bindStore(db, this.dialect, this.repositories) as unknown as this),
    );
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function bindStore<R extends object>(
  db: Kysely<Database>,
  dialect: Dialect,
  repositories: RepositoryFactory<R>,
): Store<R> {
  const runner = new TransactionRunner(db, dialect, repositories);
  return Object.assign(runner, { meta: new MetaRepository(db) }, repositories(db));
}
