import type { AbortSignalLike } from "@azure/abort-controller";
import type { CancelOnProgress } from "@azure/core-lro";

/**
 * The status of a backup or restore job, as the service reports it: "InProgress", "Succeeded",
 * "Failed" or "Canceled".
 */
export type OperationStatus = string;

/** The state of a backup or restore job, as a poller reports it. */
export interface KeyVaultAdminPollOperationState<TResult> {
  /** The job's id. */
  jobId?: string;
  /** The job's status. */
  status: OperationStatus;
  /** Set when the job failed or could not be polled; its message is the service's. */
  error?: Error;
  /** The job's result, once it succeeded. */
  result?: TResult;
  /** The service's details about the job's status. */
  statusDetails?: string;
  /** When the job started. */
  startTime?: Date;
  /** When the job ended. */
  endTime?: Date;
  /** Whether the job was started (always true: `begin*` sends the request before it resolves). */
  isStarted?: boolean;
  /** Whether the job reached a terminal status. */
  isCompleted?: boolean;
}

/** A poller for a backup or restore job. */
export interface PollerLike<TState extends KeyVaultAdminPollOperationState<TResult>, TResult> {
  /** Whether the job reached a terminal status. */
  isDone(): boolean;
  /** Whether polling was stopped, by `stopPolling()` or by aborting `pollUntilDone()`. */
  isStopped(): boolean;
  /** The job's state as of the last poll. */
  getOperationState(): TState;
  /** The job's result, once it succeeded. */
  getResult(): TResult | undefined;
  /** Polls the job once. */
  poll(options?: { abortSignal?: AbortSignalLike }): Promise<void>;
  /**
   * Polls until the job ends, waiting as the service's `Retry-After` asks (or `intervalInMs`).
   * Resolves with the result; rejects with the service's message if the job failed.
   */
  pollUntilDone(pollOptions?: { abortSignal?: AbortSignalLike }): Promise<TResult>;
  /** Calls `callback` with the job's state after each poll; returns a function that stops it. */
  onProgress(callback: (state: TState) => void): CancelOnProgress;
  /** The poller's state as a string; pass it as `resumeFrom` to resume, even in another process. */
  toString(): string;
  /** Stops polling on this side; the job goes on. */
  stopPolling(): void;
}
