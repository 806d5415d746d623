import type { KeyVaultAdminPollOperationState, PollerLike } from "@mhsm/keyvault-admin";
import { LATEST_API_VERSION } from "@mhsm/keyvault-admin";
import { readTextArgument } from "./argument-sources.js";
import { CliError, badArgument } from "./cli-error.js";
import type { HsmClients } from "./connection/clients.js";
import { JobProgress } from "./job-progress.js";
import type { JobRow } from "./views/job-views.js";

/** Backup jobs' status lives under /backup, every kind of restore's under /restore. */
export type JobFamily = "backup" | "restore";

export interface StorageFlags {
  sasToken?: string;
  useManagedIdentity?: boolean;
}

/**
 * The storage credential of a backup or restore: a SAS token (as given, from @file or from
 * stdin), or undefined for the HSM's own managed identity. Exactly one must be chosen.
 */
export async function storageSasToken(flags: StorageFlags): Promise<string | undefined> {
  if (flags.sasToken !== undefined && flags.useManagedIdentity) {
    throw badArgument("give either --sas-token or --use-managed-identity, not both");
  }
  if (flags.useManagedIdentity) return undefined;
  if (flags.sasToken === undefined) {
    throw badArgument("how should the HSM reach the storage? give --sas-token or --use-managed-identity");
  }
  // A SAS copied from the portal often starts with "?"; the service wants the query alone.
  const token = (await readTextArgument("--sas-token", flags.sasToken, true)).replace(/^\?/, "");
  if (!token) throw badArgument("--sas-token is empty");
  return token;
}

type AnyJobPoller = PollerLike<KeyVaultAdminPollOperationState<unknown>, unknown>;

/**
 * Waits for a job with a progress line. Ctrl-C stops waiting (the job goes on, and the line
 * says how to look it up later). A failed job becomes an error with the service's code.
 */
export async function waitForJob(
  clients: HsmClients,
  family: JobFamily,
  poller: AnyJobPoller,
  label: string,
): Promise<JobRow> {
  const jobId = poller.getOperationState().jobId;
  const progress = new JobProgress(`${label} ${jobId ?? ""}`.trim());
  progress.update(poller.getOperationState().status);
  // The last status goes on the closing line, with the time it took.
  const stopProgress = poller.onProgress((state) => {
    if (!state.isCompleted) progress.update(state.status);
  });
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  try {
    await poller.pollUntilDone({ abortSignal: interrupt.signal });
    const job = jobRowFromState(poller.getOperationState());
    progress.finish(job.status);
    return job;
  } catch (error) {
    if (interrupt.signal.aborted) {
      progress.finish("stopped waiting");
      process.exitCode = 130;
      throw new CliError("Interrupted", `the job goes on; see it with: mhsm ${family} status ${jobId}`);
    }
    const state = poller.getOperationState();
    progress.finish(state.isCompleted ? state.status : "stopped waiting");
    if (!state.isCompleted || !jobId) throw error;
    // The poller's error only has the service's words run together; the job has its code.
    const failed = await jobStatus(clients, family, jobId).catch(() => undefined);
    if (failed?.error?.code)
      throw new CliError(failed.error.code, failed.error.message ?? `the ${label} failed`);
    throw error;
  } finally {
    stopProgress();
    process.off("SIGINT", onSigint);
  }
}

/** A job's state by its id (the client library has no call for a job it did not start). */
export async function jobStatus(clients: HsmClients, family: JobFamily, jobId: string): Promise<JobRow> {
  const wire = (await clients
    .rest()
    .send(
      "GET",
      `/${family}/${encodeURIComponent(jobId)}/pending?api-version=${LATEST_API_VERSION}`,
    )) as WireJob;
  return {
    jobId: wire.jobId ?? jobId,
    status: wire.status ?? "Unknown",
    statusDetails: wire.statusDetails ?? undefined,
    startTime: wire.startTime ? new Date(wire.startTime * 1000) : undefined,
    endTime: wire.endTime ? new Date(wire.endTime * 1000) : undefined,
    folderUrl: wire.azureStorageBlobContainerUri ?? undefined,
    error: wire.error ? { code: wire.error.code, message: wire.error.message } : undefined,
  };
}

export function jobRowFromState(state: KeyVaultAdminPollOperationState<unknown>): JobRow {
  const result = state.result as { folderUri?: string } | undefined;
  return {
    jobId: state.jobId,
    status: state.status,
    statusDetails: state.statusDetails,
    startTime: state.startTime,
    endTime: state.endTime,
    folderUrl: result?.folderUri,
  };
}

interface WireJob {
  jobId?: string;
  status?: string;
  statusDetails?: string | null;
  startTime?: number | null;
  endTime?: number | null;
  azureStorageBlobContainerUri?: string | null;
  error?: { code?: string; message?: string } | null;
}
