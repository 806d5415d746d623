import type { Job } from "../../platform/jobs/job-model.js";
import type { ChangeFeed } from "../../platform/store/change-feed.js";
import type { JobStore } from "../../platform/jobs/job-runner.js";

/**
 * While a full restore runs, the HSM's contents are about to be replaced: data-plane requests
 * get a clear "restore in progress" answer instead of reading or writing state that is about
 * to vanish. Job status and the identity provider stay available.
 *
 * This node knows its own restores at once; restores on other nodes are learned from the store
 * when the change feed announces a job change, and re-checked every few seconds besides.
 */
export class RestoreGate {
  readonly #local = new Set<string>();
  #elsewhere = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly store?: JobStore) {}

  observe(job: Job, phase: "started" | "finished"): void {
    if (job.kind !== "restore") return;
    if (phase === "started") this.#local.add(job.id);
    else this.#local.delete(job.id);
  }

  /** Follows restores started on other nodes. */
  follow(changes: ChangeFeed, recheckMs = 2000): void {
    changes.subscribe("jobs", () => void this.refresh());
    this.#timer = setInterval(() => void this.refresh(), recheckMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  get active(): boolean {
    return this.#local.size > 0 || this.#elsewhere;
  }

  private async refresh(): Promise<void> {
    if (!this.store) return;
    try {
      this.#elsewhere = (await this.store.jobs.countRunning("restore")) > this.#local.size;
    } catch {
      // Keep the last answer; the next announcement or check tries again.
    }
  }
}
