import { type Kysely, sql } from "kysely";
import type { Barrier } from "../barrier/barrier.js";
import { KeyRepository } from "../../resources/keys/key-repository.js";
import { MetaRepository } from "./meta-repository.js";
import { migrateToLatest } from "./migrations.js";
import { PrincipalRepository } from "../../resources/identity/principal-repository.js";
import { RoleAssignmentRepository } from "../../resources/rbac/role-assignment-repository.js";
import { RoleDefinitionRepository } from "../../resources/rbac/role-definition-repository.js";
import { JobRepository } from "../jobs/job-repository.js";
import { SettingRepository } from "../../resources/settings/setting-repository.js";
import { SnapshotRepository } from "../../resources/backup/snapshot-repository.js";
import type { Database } from "./schema.js";
import type { Dialect } from "./database.js";

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

/**
 * The store: repositories over one database handle. `transaction` hands the callback a Store
 * bound to the transaction, so a service can read, check a limit and write as one unit.
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
export class Store {
  readonly meta: MetaRepository;
  readonly principals: PrincipalRepository;
  readonly roleDefinitions: RoleDefinitionRepository;
  readonly roleAssignments: RoleAssignmentRepository;
  readonly settings: SettingRepository;
  readonly jobs: JobRepository;
  readonly snapshots: SnapshotRepository;
  readonly keys: KeyRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
    readonly dialect: Dialect = "sqlite",
    /** Seals principals' secret hashes: the node key, not the domain key (see barrier.ts). */
    private readonly nodeBarrier: Barrier = barrier,
  ) {
    this.meta = new MetaRepository(db);
    this.principals = new PrincipalRepository(db, nodeBarrier, barrier);
    this.roleDefinitions = new RoleDefinitionRepository(db);
    this.roleAssignments = new RoleAssignmentRepository(db);
    this.settings = new SettingRepository(db);
    this.jobs = new JobRepository(db, barrier);
    this.snapshots = new SnapshotRepository(db, this.principals);
    this.keys = new KeyRepository(db, barrier);
  }

  static async open(
    db: Kysely<Database>,
    barrier: Barrier,
    dialect: Dialect = "sqlite",
    nodeBarrier: Barrier = barrier,
  ): Promise<Store> {
    await migrateToLatest(db as unknown as Kysely<unknown>);
    return new Store(db, barrier, dialect, nodeBarrier);
  }

  async transaction<T>(work: (tx: Store) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
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
          return work(new Store(trx, this.barrier, this.dialect, this.nodeBarrier));
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
        // Back off a little, with jitter, so racing writers do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
