import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { Barrier } from "../../../packages/server/src/platform/barrier/barrier.js";
import type { Database } from "../../../packages/server/src/platform/store/schema.js";
import { openSqliteDatabase } from "../../../packages/server/src/platform/store/sqlite-database.js";
import { type Store, TransactionRunner } from "../../../packages/server/src/platform/store/store.js";
import { PrincipalRepository } from "../../../packages/server/src/resources/identity/principal-repository.js";
import { KeyRepository } from "../../../packages/server/src/resources/keys/key-repository.js";
import { RoleAssignmentRepository } from "../../../packages/server/src/resources/rbac/role-assignment-repository.js";
import { RoleDefinitionRepository } from "../../../packages/server/src/resources/rbac/role-definition-repository.js";
import { type Postgres, startPostgres } from "../../harness/postgres.js";

/**
 * An ICU locale whose order differs from code-point order where key names differ: punctuation
 * is ignored at first ("ka-shifted": "a-c" sorts after "ab"), as glibc's en_US.UTF-8 does. This
 * machine has no glibc locale but C and POSIX (`locale -a`), so the database gets its non-C
 * default collation from ICU, which Debian's PostgreSQL 15 is built with. (Reordering digits
 * after letters, "kr-latn-digit", which would also reorder GUIDs, had no effect with ICU 72.)
 */
export const NON_C_ICU_LOCALE = "en-US-u-ka-shifted";

export type PagingStore = Store<{
  keys: KeyRepository;
  roleAssignments: RoleAssignmentRepository;
  roleDefinitions: RoleDefinitionRepository;
  principals: PrincipalRepository;
}>;

export interface PagingBackend {
  name: "sqlite" | "postgres";
  store: PagingStore;
  /** The connection itself, for what a test asks the database directly. */
  db: Kysely<Database>;
  /** Empties the tables between cases. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

const repositories = (barrier: Barrier) => (db: Kysely<Database>) => ({
  keys: new KeyRepository(db, barrier),
  roleAssignments: new RoleAssignmentRepository(db),
  roleDefinitions: new RoleDefinitionRepository(db),
  principals: new PrincipalRepository(db, barrier),
});

function clearer(db: Kysely<Database>) {
  return async () => {
    for (const table of [
      "key_versions",
      "keys",
      "role_assignments",
      "role_definitions",
      "principals",
    ] as const) {
      await db.deleteFrom(table).execute();
    }
  };
}

export async function openSqliteBackend(): Promise<PagingBackend> {
  const dir = await mkdtemp(join(tmpdir(), "mhsm-paging-"));
  const db = openSqliteDatabase(join(dir, "paging.db"));
  const store = await TransactionRunner.open(
    db,
    "sqlite",
    repositories(Barrier.fromDomainKey(randomBytes(32))),
  );
  return {
    name: "sqlite",
    store,
    db,
    clear: clearer(db),
    async close() {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A database created with NON_C_ICU_LOCALE as its default collation, on the suite's PostgreSQL
 * cluster (MHSM_TEST_POSTGRES_URL) or a throwaway one. `collationDiffers` is what the database
 * itself says about its order, so a test can show it is not code-point order.
 */
export async function openPostgresBackend(): Promise<
  PagingBackend & { collationDiffers: { hyphen: boolean } }
> {
  let cluster: Postgres | undefined;
  const clusterUrl = process.env.MHSM_TEST_POSTGRES_URL ?? (cluster = await startPostgres()).url;
  const name = `mhsm_paging_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '${NON_C_ICU_LOCALE}'`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const order = await sql<{ hyphen: boolean }>`SELECT NOT ('a-c' < 'ab') AS hyphen`.execute(db);
  const store = await TransactionRunner.open(
    db,
    "postgres",
    repositories(Barrier.fromDomainKey(randomBytes(32))),
  );
  return {
    name: "postgres",
    store,
    db,
    clear: clearer(db),
    collationDiffers: order.rows[0] as { hyphen: boolean },
    async close() {
      await db.destroy();
      const dropper = new pg.Client({ connectionString: clusterUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name}`).finally(() => dropper.end());
      cluster?.stop();
    },
  };
}
