import type { View } from "../output.js";

/** A backup or restore job as the CLI shows it, whether from a poller or a status request. */
export interface JobRow {
  jobId: string | undefined;
  status: string;
  statusDetails?: string;
  startTime?: Date;
  endTime?: Date;
  /** Backups: the folder written, which a restore takes as --folder-url. */
  folderUrl?: string;
  error?: { code?: string; message?: string };
}

export const jobView: View<JobRow> = {
  json: (job) => ({
    jobId: job.jobId ?? null,
    status: job.status,
    statusDetails: job.statusDetails ?? null,
    startTime: job.startTime ?? null,
    endTime: job.endTime ?? null,
    folderUrl: job.folderUrl ?? null,
    error: job.error ?? null,
  }),
  columns: [
    { header: "Job id", value: (j) => j.jobId },
    { header: "Status", value: (j) => j.status },
    { header: "Details", value: (j) => j.statusDetails },
    { header: "Started", value: (j) => j.startTime },
    { header: "Ended", value: (j) => j.endTime },
    { header: "Folder URL", value: (j) => j.folderUrl },
    {
      header: "Error",
      value: (j) => (j.error ? `${j.error.code ?? ""}: ${j.error.message ?? ""}` : undefined),
    },
  ],
};
