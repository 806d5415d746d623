import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { conflict } from "../errors.js";
import type { Store } from "../store/store.js";
import { type Job, JobFailure, type JobKind } from "./job-model.js";

export interface JobContext {
  job: Job;
  request: unknown;
  /** Aborted when the server shuts down. */
  signal: AbortSignal;
  /** Records progress, shown as statusDetails while the job runs. */
  progress(details: string): Promise<void>;
}

export interface JobOutcome {
  resultUri?: string;
  statusDetails?: string;
}

export type JobHandler = (context: JobContext) => Promise<JobOutcome>;

/** Jobs that hold the one backup-or-restore slot (pre-checks change nothing, so they do not). */
const EXCLUSIVE: Record<JobKind, boolean> = {
  backup: true,
  restore: true,
  selectiveRestore: true,
  prebackup: false,
  prerestore: false,
};

/**
 * Runs long-running operations. A job is a row first (so its status outlives the request and
 * the process), then work in the background. On start, jobs a previous process left
 * InProgress are failed with the reason: their work was not committed (restores apply in one
 * transaction at the end; a backup without its manifest is refused by every restore), so
 * starting the operation again is always safe.
 */
export class JobRunner {
  readonly #handlers: Record<JobKind, JobHandler>;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #listeners = new Set<(job: Job, phase: "started" | "finished") => void>();

  constructor(
    private readonly store: Store,
    handlers: Record<JobKind, JobHandler>,
    private readonly log: FastifyBaseLogger | Console,
    private readonly clock: () => number = Date.now,
  ) {
    this.#handlers = handlers;
  }

  /** Lets other parts react to jobs (e.g. the restore gate). */
  onJob(listener: (job: Job, phase: "started" | "finished") => void): void {
    this.#listeners.add(listener);
  }

  async failInterrupted(): Promise<number> {
    const interrupted = await this.store.jobs.listInProgress();
    for (const job of interrupted) {
      await this.store.jobs.finish(job.id, {
        status: "Failed",
        endTime: this.now(),
        error: {
          code: "JobInterrupted",
          message: `The server stopped while this ${job.kind} job was running; nothing it did was kept. Start the operation again.`,
        },
      });
    }
    return interrupted.length;
  }

  /** Inserts the job (409 when an exclusive job is already running) and starts it. */
  async start(kind: JobKind, request: unknown, createdBy: string): Promise<Job> {
    const job: Job = {
      id: randomUUID().replace(/-/g, ""),
      kind,
      status: "InProgress",
      statusDetails: null,
      error: null,
      startTime: this.now(),
      endTime: null,
      resultUri: null,
      exclusive: EXCLUSIVE[kind],
      createdBy,
    };
    await this.store
      .transaction(async (tx) => {
        if (job.exclusive) {
          const running = await tx.jobs.runningExclusive();
          if (running) throw alreadyRunning(running);
        }
        await tx.jobs.insert(job, request);
      })
      .catch(async (error: unknown) => {
        // The unique index is the last word when two nodes race past the check above.
        if (job.exclusive && isUniqueViolation(error)) {
          const running = await this.store.jobs.runningExclusive();
          throw alreadyRunning(running);
        }
        throw error;
      });
    this.launch(job, request);
    return job;
  }

  get(id: string): Promise<Job | undefined> {
    return this.store.jobs.get(id);
  }

  /** Aborts running jobs and waits for them to record their end. */
  async close(): Promise<void> {
    for (const { controller } of this.#running.values()) controller.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Resolves when the job with this id is no longer running in this process. */
  async settled(id: string): Promise<void> {
    await this.#running.get(id)?.done;
  }

  private launch(job: Job, request: unknown): void {
    const controller = new AbortController();
    const done = this.execute(job, request, controller.signal).finally(() => this.#running.delete(job.id));
    this.#running.set(job.id, { controller, done });
  }

  private async execute(job: Job, request: unknown, signal: AbortSignal): Promise<void> {
    this.emit(job, "started");
    try {
      const outcome = await this.#handlers[job.kind]({
        job,
        request,
        signal,
        progress: (details) => this.store.jobs.setDetails(job.id, details),
      });
      await this.store.jobs.finish(job.id, {
        status: "Succeeded",
        endTime: this.now(),
        statusDetails: outcome.statusDetails ?? null,
        resultUri: outcome.resultUri ?? null,
      });
    } catch (error) {
      const failure =
        error instanceof JobFailure
          ? error
          : signal.aborted
            ? new JobFailure(
                "JobInterrupted",
                "The server shut down while this job was running; nothing it did was kept. Start the operation again.",
              )
            : new JobFailure(
                "InternalError",
                "The job failed because of an internal error; the server log has the details.",
              );
      if (!(error instanceof JobFailure) && !signal.aborted)
        this.log.error({ err: error, jobId: job.id }, "job failed");
      await this.store.jobs
        .finish(job.id, {
          status: "Failed",
          endTime: this.now(),
          error: { code: failure.code, message: failure.message },
        })
        .catch((finishError: unknown) =>
          this.log.error({ err: finishError, jobId: job.id }, "could not record job failure"),
        );
    } finally {
      this.emit(job, "finished");
    }
  }

  private emit(job: Job, phase: "started" | "finished"): void {
    for (const listener of this.#listeners) listener(job, phase);
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }
}

function alreadyRunning(running: Job | undefined) {
  const what = running ? `a ${running.kind} job (${running.id})` : "another backup or restore";
  return conflict(
    "Conflict",
    `The HSM is already running ${what}. Only one backup or restore can run at a time.`,
  );
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}
