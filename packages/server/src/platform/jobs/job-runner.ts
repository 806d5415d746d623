import { randomUUID } from "node:crypto";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import { loggableError } from "../logging/loggable-error.js";
import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";
import type { ChangeFeed } from "../store/change-feed.js";
import type { Store } from "../store/store.js";
import type { JobRepository } from "./job-repository.js";

/** A store with the jobs repository. */
export type JobStore = Store<{ jobs: JobRepository }>;
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

export interface JobRunnerOptions {
  /** This node: stable across its restarts (kept in the data directory). */
  nodeId: string;
  /** How long a claim lasts without renewal. */
  leaseMs: number;
  changes: ChangeFeed;
  log: { error(details: object, message: string): void; warn(message: string): void };
  clock?: () => number;
  /** Jobs by kind and outcome, with their durations. */
  metrics?: MetricsRecorder;
}

/** Jobs that hold the one backup-or-restore slot (pre-checks change nothing, so they do not). */
const EXCLUSIVE: Record<JobKind, boolean> = {
  backup: true,
  restore: true,
  selectiveRestore: true,
  prebackup: false,
  prerestore: false,
};

/**
 * Runs long-running operations. A job is a row first (so its status outlives the request, the
 * process and the node), then work in the background on the node that accepted it, which holds
 * a lease on the row and renews it while the work runs.
 *
 * A job whose node died is failed with the reason, never left InProgress: by this node at once
 * when it starts again (the job was its own), or by any node once the lease has run out. Its
 * work was not kept (restores apply in one transaction at the end; a backup without its
 * manifest is refused by every restore), so running the operation again is always safe.
 */
export class JobRunner {
  readonly #handlers: Record<JobKind, JobHandler>;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #listeners = new Set<(job: Job, phase: "started" | "finished") => void>();
  readonly #clock: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: JobStore,
    handlers: Record<JobKind, JobHandler>,
    private readonly options: JobRunnerOptions,
  ) {
    this.#handlers = handlers;
    this.#clock = options.clock ?? Date.now;
  }

  /** Lets other parts react to this node's jobs (e.g. the restore gate). */
  onJob(listener: (job: Job, phase: "started" | "finished") => void): void {
    this.#listeners.add(listener);
  }

  /** Fails abandoned jobs now, then keeps renewing this node's leases and sweeping others'. */
  async start(): Promise<void> {
    const failed = await this.failAbandoned();
    if (failed > 0)
      this.options.log.warn(`mhsm: ${failed} job(s) left running by a stopped node were marked Failed`);
    this.#timer = setInterval(() => void this.tick(), Math.max(500, Math.floor(this.options.leaseMs / 3)));
    this.#timer.unref();
  }

  /** Inserts the job (409 when an exclusive job is already running) and starts it. */
  async submit(kind: JobKind, request: unknown, createdBy: string): Promise<Job> {
    const job: Job = {
      id: randomUUID().replace(/-/g, ""),
      kind,
      status: "InProgress",
      statusDetails: null,
      error: null,
      startTime: Math.floor(this.#clock() / 1000),
      endTime: null,
      resultUri: null,
      exclusive: EXCLUSIVE[kind],
      createdBy,
    };
    const lease = { owner: this.options.nodeId, expiresAt: this.#clock() + this.options.leaseMs };
    // The unique index on running exclusive jobs is the last word when nodes race past the
    // check; the store retries on the violation and the check then names the winner.
    await this.store.transaction(async (tx) => {
      if (job.exclusive) {
        const running = await tx.jobs.runningExclusive();
        if (running) throw alreadyRunning(running);
      }
      await tx.jobs.insert(job, request, lease);
    });
    this.launch(job, request);
    return job;
  }

  get(id: string): Promise<Job | undefined> {
    return this.store.jobs.get(id);
  }

  /** Aborts running jobs and waits for them to record their end. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const { controller } of this.#running.values()) controller.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  private async tick(): Promise<void> {
    try {
      await this.store.jobs.renewLeases(
        [...this.#running.keys()],
        this.options.nodeId,
        this.#clock() + this.options.leaseMs,
      );
      await this.failAbandoned();
    } catch (error) {
      this.options.log.error({ error: loggableError(error) }, "job lease upkeep failed");
    }
  }

  private async failAbandoned(): Promise<number> {
    const now = this.#clock();
    // This node's own jobs that are not running in this process belong to its previous life.
    const deadOwner = this.options.nodeId;
    let failed = 0;
    for (const job of await this.store.jobs.listAbandoned(now, deadOwner)) {
      if (this.#running.has(job.id)) continue;
      const done = await this.store.jobs.failIfAbandoned(job.id, now, deadOwner, {
        endTime: Math.floor(now / 1000),
        error: {
          code: "JobInterrupted",
          message: `The server stopped while this ${job.kind} job was running; nothing it did was kept. Start the operation again.`,
        },
      });
      if (done) failed++;
    }
    if (failed > 0) await this.options.changes.publish("jobs");
    return failed;
  }

  private launch(job: Job, request: unknown): void {
    const controller = new AbortController();
    const done = this.execute(job, request, controller.signal).finally(() => this.#running.delete(job.id));
    this.#running.set(job.id, { controller, done });
  }

  private async execute(job: Job, request: unknown, signal: AbortSignal): Promise<void> {
    this.emit(job, "started");
    const startedAt = performance.now();
    let ending = "Failed";
    try {
      const outcome = await this.#handlers[job.kind]({
        job,
        request,
        signal,
        progress: (details) => this.store.jobs.setDetails(job.id, details),
      });
      await this.store.jobs.finish(job.id, {
        status: "Succeeded",
        endTime: Math.floor(this.#clock() / 1000),
        statusDetails: outcome.statusDetails ?? null,
        resultUri: outcome.resultUri ?? null,
      });
      ending = "Succeeded";
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
        this.options.log.error({ error: loggableError(error), jobId: job.id }, "job failed");
      await this.store.jobs
        .finish(job.id, {
          status: "Failed",
          endTime: Math.floor(this.#clock() / 1000),
          error: { code: failure.code, message: failure.message },
        })
        .catch((finishError: unknown) =>
          this.options.log.error(
            { error: loggableError(finishError), jobId: job.id },
            "could not record job failure",
          ),
        );
    } finally {
      (this.options.metrics ?? NO_METRICS).jobFinished(
        job.kind,
        ending,
        (performance.now() - startedAt) / 1000,
      );
      this.emit(job, "finished");
    }
  }

  private emit(job: Job, phase: "started" | "finished"): void {
    for (const listener of this.#listeners) listener(job, phase);
    void this.options.changes.publish("jobs").catch(() => undefined);
  }
}

function alreadyRunning(running: Job | undefined) {
  const what = running ? `a ${running.kind} job (${running.id})` : "another backup or restore";
  return KeyVaultErrors.jobAlreadyRunning(what);
}
