import type { JobRunner } from "../../platform/jobs/job-runner.js";
import type { ResourceModule } from "../../platform/http/resource-module.js";
import type { RequestGate } from "../../platform/http/request-gates.js";
import { registerBackupRestoreRoutes } from "./backup-restore-routes.js";
import type { BackupService, BackupStore } from "./backup-service.js";
import type { RestoreGate } from "./restore-gate.js";

/** Full backup, full restore, selective key restore and their pre-checks, as jobs. */
export function backupModule<S extends BackupStore>(parts: {
  jobs: JobRunner;
  backups: BackupService<S>;
  retryAfterSeconds: number;
}): ResourceModule {
  return {
    register: (routes) =>
      registerBackupRestoreRoutes(routes, parts.jobs, parts.backups, parts.retryAfterSeconds),
  };
}

/** Closes the data plane of every node while a full restore replaces the HSM's contents. */
export function restoreInProgressGate(restore: RestoreGate, retryAfterSeconds: number): RequestGate {
  return {
    name: "restore",
    refusal: () =>
      restore.active
        ? {
            code: "RestoreInProgress",
            message:
              "A full restore of this HSM is in progress; it accepts requests again when the restore finishes.",
            retryAfterSeconds,
          }
        : undefined,
  };
}
