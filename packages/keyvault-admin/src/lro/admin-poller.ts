import { type LroResponse, type OperationState, createHttpPoller } from "@azure/core-lro";
import { delay } from "@azure/core-util";
import type { KeyVaultBackupPollerOptions } from "../backup-client-models.js";
import type { AdminHttpClient, AdminResponse } from "../http/admin-http-client.js";
import { type JobStart, getJobStatus, startJob } from "../wire/backup-restore-operations.js";
import type { WireJob } from "../wire/models.js";
import { anySignal } from "./abort-signals.js";
import { type JobSnapshot, dateOf, snapshotOf } from "./job-snapshot.js";
import type { KeyVaultAdminPollOperationState, PollerLike } from "./models.js";
import { retryAfterMs } from "./retry-after.js";

/**
 * core-lro's state (status, the status URL in `config`, the result) plus what we keep of the
 * job. core-lro serializes all of it in `toString()`, which is how a poller resumes elsewhere.
 */
interface AdminLroState extends OperationState<JobSnapshot> {
  job?: JobSnapshot;
}

export interface AdminPollerInputs<TResult> {
  client: AdminHttpClient;
  start: JobStart;
  options: KeyVaultBackupPollerOptions;
  /** The public result of a succeeded job. */
  toResult: (job: JobSnapshot) => TResult;
}

/**
 * Starts a backup or restore job (or, with `resumeFrom`, picks one up) and returns its poller.
 * The start request is sent before this resolves, so a refused start (a malformed SAS, a job
 * already running) rejects here. Polling follows the job's `Azure-AsyncOperation` URL through
 * `@azure/core-lro`, which waits as each answer's `Retry-After` says.
 */
export async function createAdminPoller<TResult>(
  inputs: AdminPollerInputs<TResult>,
): Promise<PollerLike<KeyVaultAdminPollOperationState<TResult>, TResult>> {
  const { client, start, options, toResult } = inputs;
  let startedJob: JobSnapshot | undefined;
  // The start answer's Retry-After asks us to wait before the first poll; core-lro only reads
  // the header on poll answers, so the wrapper below waits this long first.
  let firstPollDelayMs = 0;

  const core = await createHttpPoller<JobSnapshot, AdminLroState>(
    {
      async sendInitialRequest() {
        const response = await startJob(client, start, options);
        startedJob = snapshotOf(response.body);
        firstPollDelayMs = retryAfterMs(response.raw.headers.get("retry-after"));
        const lroResponse = toLroResponse(response);
        const headers = lroResponse.rawResponse.headers;
        if (!headers["azure-asyncoperation"] && startedJob.jobId) {
          // No status URL in the answer: poll where the API says a job's status lives.
          headers["azure-asyncoperation"] = statusPath(start, startedJob.jobId);
        }
        return lroResponse;
      },
      async sendPollRequest(statusUrl, pollOptions) {
        const { signal, dispose } = anySignal([options.abortSignal, pollOptions?.abortSignal]);
        try {
          const response = await getJobStatus(client, statusUrl, {
            abortSignal: signal,
            requestOptions: options.requestOptions,
            tracingOptions: options.tracingOptions,
          });
          return toLroResponse(response);
        } finally {
          dispose();
        }
      },
    },
    {
      intervalInMs: options.intervalInMs,
      restoreFrom: options.resumeFrom,
      // The status answer is the job itself: there is no resource to GET at the end.
      resourceLocationConfig: "azure-async-operation",
      processResult: (body) => snapshotOf(body as WireJob | undefined),
      updateState(state, response) {
        state.job = snapshotOf(response.flatResponse as WireJob | undefined);
        if (state.status === "failed") state.error = jobFailure(state.job);
      },
    },
  );

  const state = core.getOperationState();
  if (startedJob) state.job = startedJob;
  // An Error does not survive JSON: a poller resumed after its job failed rebuilds it.
  if (state.status === "failed" && !(state.error instanceof Error)) state.error = jobFailure(state.job ?? {});

  const stopped = new AbortController();
  const poller: PollerLike<KeyVaultAdminPollOperationState<TResult>, TResult> = {
    isDone: () => core.isDone(),
    isStopped: () => stopped.signal.aborted,
    getOperationState: () => publicState(core.getOperationState(), core.isDone(), toResult),
    getResult() {
      const job = core.getResult();
      return job && toResult(job);
    },
    async poll(pollOptions) {
      firstPollDelayMs = 0;
      await core.poll(pollOptions);
    },
    async pollUntilDone(pollOptions) {
      // As in the official library, aborting this call stops the poller for good; resume it
      // from toString().
      const userSignal = pollOptions?.abortSignal;
      const stop = () => stopped.abort();
      if (userSignal?.aborted) stop();
      else userSignal?.addEventListener("abort", stop, { once: true });
      try {
        if (firstPollDelayMs > 0 && !core.isDone()) {
          await delay(firstPollDelayMs, { abortSignal: stopped.signal });
        }
        firstPollDelayMs = 0;
        return toResult(await core.pollUntilDone({ abortSignal: stopped.signal }));
      } finally {
        userSignal?.removeEventListener("abort", stop);
      }
    },
    onProgress: (callback) => core.onProgress(() => callback(poller.getOperationState())),
    toString: () => core.toString(),
    stopPolling: () => stopped.abort(),
  };
  return poller;
}

function toLroResponse(response: AdminResponse<WireJob | undefined>): LroResponse<WireJob | undefined> {
  return {
    flatResponse: response.body,
    // Lower-cased names, as core-lro reads them.
    rawResponse: { statusCode: response.status, headers: response.raw.headers.toJSON(), body: response.body },
  };
}

function statusPath(start: JobStart, jobId: string): string {
  const family = start.kind === "backup" || start.kind === "preBackup" ? "backup" : "restore";
  return `/${family}/${encodeURIComponent(jobId)}/pending`;
}

/** The rejection of a failed job: core-lro's wording, with whatever the service said. */
function jobFailure(job: JobSnapshot): Error {
  const said = [job.error?.code, job.error?.message ?? job.statusDetails].filter(Boolean).join(". ");
  return new Error(`The long-running operation has failed${said ? `. ${said}` : ""}`);
}

function publicState<TResult>(
  state: AdminLroState,
  isDone: boolean,
  toResult: (job: JobSnapshot) => TResult,
): KeyVaultAdminPollOperationState<TResult> {
  const job = state.job ?? {};
  return {
    jobId: job.jobId,
    status: job.status ?? state.status,
    statusDetails: job.statusDetails,
    startTime: dateOf(job.startTime),
    endTime: dateOf(job.endTime),
    error: state.error,
    result: state.result && toResult(state.result),
    isStarted: true,
    isCompleted: isDone,
  };
}
