import type { Kysely } from "kysely";
import type { Barrier } from "../barrier/barrier.js";
import { KeyRepository } from "../keys/key-repository.js";
import { MetaRepository } from "./meta-repository.js";
import { migrateToLatest } from "./migrations.js";
import { PrincipalRepository } from "./principal-repository.js";
import { RoleAssignmentRepository } from "./role-assignment-repository.js";
import { RoleDefinitionRepository } from "./role-definition-repository.js";
import { JobRepository } from "./job-repository.js";
import { SettingRepository } from "./setting-repository.js";
import { SnapshotRepository } from "./snapshot-repository.js";
import type { Database } from "./schema.js";

/**
 * The store: repositories over one database handle. `transaction` hands the callback a Store
 * bound to the transaction, so a service can read, check a limit and write as one unit.
 * The backend (SQLite now, PostgreSQL later) is only the Kysely dialect underneath.
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
  ) {
    this.meta = new MetaRepository(db);
    this.principals = new PrincipalRepository(db, barrier);
    this.roleDefinitions = new RoleDefinitionRepository(db);
    this.roleAssignments = new RoleAssignmentRepository(db);
    this.settings = new SettingRepository(db);
    this.jobs = new JobRepository(db, barrier);
    this.snapshots = new SnapshotRepository(db);
    this.keys = new KeyRepository(db, barrier);
  }

  static async open(db: Kysely<Database>, barrier: Barrier): Promise<Store> {
    await migrateToLatest(db as unknown as Kysely<unknown>);
    return new Store(db, barrier);
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Store(trx, this.barrier)));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
