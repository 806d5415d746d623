/** Long-running operations, as the service reports them (WIRE.md: Long-running operations). */
export type JobKind = "backup" | "prebackup" | "restore" | "prerestore" | "selectiveRestore";
export type JobStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

export interface Job {
  id: string;
  kind: JobKind;
  status: JobStatus;
  statusDetails: string | null;
  error: { code: string; message: string } | null;
  /** unix seconds */
  startTime: number;
  endTime: number | null;
  /** For a finished backup: <container URI>/<folder>. */
  resultUri: string | null;
  /** Holds the HSM's one backup-or-restore slot while InProgress. */
  exclusive: boolean;
  createdBy: string;
}

/** Backups report on /backup/{id}/pending; restores of all kinds on /restore/{id}/pending. */
export function statusFamily(kind: JobKind): "backup" | "restore" {
  return kind === "backup" || kind === "prebackup" ? "backup" : "restore";
}

/**
 * A failure a job reports to the caller: code and message are shown as they are, in the job's
 * status (`error` of /backup|restore/{id}/pending), not as an HTTP error answer, so it is not a
 * catalog error (platform/errors/key-vault-errors.ts): the request that started the job got 202.
 */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
