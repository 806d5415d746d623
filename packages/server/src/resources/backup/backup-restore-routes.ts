import type { FastifyReply, FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE, keyScope, parseScope } from "../../platform/authorization/scope.js";
import type { BackupService, BackupStore, StorageParameters } from "./backup-service.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { type Job, type JobKind, statusFamily } from "../../platform/jobs/job-model.js";
import type { JobRunner } from "../../platform/jobs/job-runner.js";
import { checkApiVersion } from "../../platform/http/api-version.js";
import { publicBaseUrl } from "../../platform/http/request-url.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";

const storageParameters = {
  type: "object",
  properties: {
    storageResourceUri: { type: ["string", "null"], maxLength: 2048 },
    token: { type: ["string", "null"], maxLength: 8192 },
    useManagedIdentity: { type: ["boolean", "null"] },
  },
} as const;

const restoreBody = (folderField: string) =>
  ({
    type: "object",
    required: ["sasTokenParameters", folderField],
    properties: { sasTokenParameters: storageParameters, [folderField]: { type: "string", maxLength: 1024 } },
  }) as const;

/** The wire shape of a job: FullBackupOperation for backups, RestoreOperation for restores. */
export function toWireJob(job: Job) {
  const body: Record<string, unknown> = {
    status: job.status,
    statusDetails: job.statusDetails,
    error: job.error ? { code: job.error.code, message: job.error.message, innererror: null } : null,
    startTime: job.startTime,
    endTime: job.endTime,
    jobId: job.id,
  };
  if (statusFamily(job.kind) === "backup") body.azureStorageBlobContainerUri = job.resultUri;
  return body;
}

export function registerBackupRestoreRoutes<S extends BackupStore>(
  routes: RouteRegistry,
  runner: JobRunner,
  backups: BackupService<S>,
  retryAfterSeconds: number,
): void {
  /** 202 with the job, Azure-AsyncOperation on the client's host, and Retry-After. */
  async function accepted(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: JobKind,
    body: Parameters<BackupService["prepare"]>[1],
  ) {
    const prepared = await backups.prepare(kind, body);
    const job = await runner.submit(kind, prepared, request.caller?.objectId ?? "unknown");
    const version = checkApiVersion((request.query as Record<string, unknown>)["api-version"]);
    const statusUrl = `${publicBaseUrl(request)}/${statusFamily(kind)}/${job.id}/pending?api-version=${encodeURIComponent(version)}`;
    return reply
      .code(202)
      .header("azure-asyncoperation", statusUrl)
      .header("retry-after", String(retryAfterSeconds))
      .send(toWireJob(job));
  }
  const global = () => GLOBAL_SCOPE;
  type RestoreBody = { sasTokenParameters: StorageParameters; folderToRestore?: string; folder?: string };

  routes.authorized({
    method: "POST",
    url: "/backup",
    operation: "FullBackup",
    dataAction: DataAction.BackupStart,
    scope: global,
    schema: { body: storageParameters },
    handler: (request, reply) =>
      accepted(request, reply, "backup", { storage: (request.body ?? {}) as StorageParameters }),
  });
  routes.authorized({
    method: "POST",
    url: "/prebackup",
    operation: "PreFullBackup",
    dataAction: DataAction.BackupStart,
    scope: global,
    schema: { body: storageParameters },
    handler: (request, reply) =>
      accepted(request, reply, "prebackup", { storage: (request.body ?? {}) as StorageParameters }),
  });
  routes.authorized({
    method: "PUT",
    url: "/restore",
    operation: "FullRestoreOperation",
    dataAction: DataAction.RestoreStart,
    scope: global,
    schema: { body: restoreBody("folderToRestore") },
    handler: (request, reply) => {
      const body = request.body as RestoreBody;
      return accepted(request, reply, "restore", {
        storage: body.sasTokenParameters ?? {},
        folder: body.folderToRestore,
      });
    },
  });
  routes.authorized({
    method: "PUT",
    url: "/prerestore",
    operation: "PreFullRestoreOperation",
    dataAction: DataAction.RestoreStart,
    scope: global,
    schema: {
      body: {
        type: "object",
        properties: { sasTokenParameters: storageParameters, folderToRestore: { type: "string" } },
      },
    },
    handler: (request, reply) => {
      const body = (request.body ?? {}) as RestoreBody;
      return accepted(request, reply, "prerestore", {
        storage: body.sasTokenParameters ?? {},
        folder: body.folderToRestore,
      });
    },
  });
  routes.authorized({
    method: "PUT",
    url: "/keys/:keyName/restore",
    operation: "SelectiveKeyRestoreOperation",
    dataAction: DataAction.RestoreStart,
    scope: (request) => parseScope(keyScope((request.params as { keyName: string }).keyName)),
    schema: { body: restoreBody("folder") },
    handler: (request, reply) => {
      const body = request.body as RestoreBody;
      const keyName = (request.params as { keyName: string }).keyName;
      return accepted(request, reply, "selectiveRestore", {
        storage: body.sasTokenParameters ?? {},
        folder: body.folder,
        keyName,
      });
    },
  });

  for (const family of ["backup", "restore"] as const) {
    routes.authorized({
      method: "GET",
      url: `/${family}/:jobId/pending`,
      operation: family === "backup" ? "FullBackupStatus" : "RestoreStatus",
      dataAction: family === "backup" ? DataAction.BackupStatus : DataAction.RestoreStatus,
      scope: global,
      passes: ["restore"],
      handler: async (request, reply) => {
        const jobId = (request.params as { jobId: string }).jobId;
        const job = /^[0-9a-f]{32}$/.test(jobId) ? await runner.get(jobId) : undefined;
        if (!job || statusFamily(job.kind) !== family) {
          throw KeyVaultErrors.jobNotFound(family, jobId);
        }
        if (job.status === "InProgress") reply.header("retry-after", String(retryAfterSeconds));
        return toWireJob(job);
      },
    });
  }
}
