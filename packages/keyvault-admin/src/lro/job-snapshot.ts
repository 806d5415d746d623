import type { WireError, WireJob } from "../wire/models.js";

/**
 * What a poller remembers of a job between polls. It is part of the string `toString()`
 * returns, so it is plain JSON (times in unix seconds) and holds no secret: the SAS token is
 * never kept.
 */
export interface JobSnapshot {
  jobId?: string;
  status?: string;
  statusDetails?: string;
  startTime?: number;
  endTime?: number;
  folderUri?: string;
  error?: { code?: string; message?: string };
}

export function snapshotOf(job: WireJob | undefined): JobSnapshot {
  if (!job) return {};
  return {
    jobId: job.jobId ?? undefined,
    status: job.status ?? undefined,
    statusDetails: job.statusDetails ?? undefined,
    // A running job's endTime is null, or 0 in some answers: neither is a time.
    startTime: job.startTime || undefined,
    endTime: job.endTime || undefined,
    folderUri: job.azureStorageBlobContainerUri ?? undefined,
    error: job.error ? flattenError(job.error) : undefined,
  };
}

/** The service's error with its inner errors' messages appended, as core-lro reports them. */
function flattenError(error: WireError): { code?: string; message?: string } {
  let { code, message } = error;
  let inner = error.innererror;
  while (inner) {
    code = inner.code ?? code;
    message = [message, inner.message].filter(Boolean).join(" ");
    inner = inner.innererror;
  }
  return { code, message };
}

export function dateOf(unixSeconds: number | undefined): Date | undefined {
  return unixSeconds ? new Date(unixSeconds * 1000) : undefined;
}
