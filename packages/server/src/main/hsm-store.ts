import type { Kysely } from "kysely";
import type { Barrier } from "../platform/barrier/barrier.js";
import type { Dialect } from "../platform/store/database.js";
import { JobRepository } from "../platform/jobs/job-repository.js";
import type { Database } from "../platform/store/schema.js";
import { type Store, TransactionRunner } from "../platform/store/store.js";
import { SnapshotRepository } from "../resources/backup/snapshot-repository.js";
import { PrincipalRepository } from "../resources/identity/principal-repository.js";
import { KeyRepository } from "../resources/keys/key-repository.js";
import { RoleAssignmentRepository } from "../resources/rbac/role-assignment-repository.js";
import { RoleDefinitionRepository } from "../resources/rbac/role-definition-repository.js";
import { SettingRepository } from "../resources/settings/setting-repository.js";

/** Every repository of this HSM: what the composition root gives the store. */
export type HsmStore = Store<ReturnType<ReturnType<typeof hsmRepositories>>>;

/**
 * The repositories, each over the barrier that seals its secrets: the domain key's for the
 * HSM's contents (key material, job requests), the node key's for principals' secret hashes
 * (see barrier.ts).
 */
function hsmRepositories(barrier: Barrier, nodeBarrier: Barrier) {
  return (db: Kysely<Database>) => {
    const principals = new PrincipalRepository(db, nodeBarrier, barrier);
    return {
      principals,
      roleDefinitions: new RoleDefinitionRepository(db),
      roleAssignments: new RoleAssignmentRepository(db),
      settings: new SettingRepository(db),
      jobs: new JobRepository(db, barrier),
      snapshots: new SnapshotRepository(db, principals),
      keys: new KeyRepository(db, barrier),
    };
  };
}

/** Migrates the database and opens the HSM's store over it. */
export function openHsmStore(
  db: Kysely<Database>,
  barrier: Barrier,
  dialect: Dialect = "sqlite",
  nodeBarrier: Barrier = barrier,
): Promise<HsmStore> {
  return TransactionRunner.open(db, dialect, hsmRepositories(barrier, nodeBarrier));
}
