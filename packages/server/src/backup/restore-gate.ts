import type { Job } from "../jobs/job-model.js";

/**
 * While a full restore runs, the HSM's contents are about to be replaced: data-plane requests
 * get a clear "restore in progress" answer instead of reading or writing state that is about
 * to vanish. Job status and the identity provider stay available.
 */
export class RestoreGate {
  #running = new Set<string>();

  observe(job: Job, phase: "started" | "finished"): void {
    if (job.kind !== "restore") return;
    if (phase === "started") this.#running.add(job.id);
    else this.#running.delete(job.id);
  }

  get active(): boolean {
    return this.#running.size > 0;
  }
}
