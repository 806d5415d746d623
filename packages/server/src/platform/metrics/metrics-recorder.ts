/**
 * What the server's parts report for /metrics. Each method takes only bounded labels: operation
 * names from the route table, algorithm and key-type names the server validated, job kinds,
 * outcomes and status codes. Never a URL, a key name, a principal id or anything a caller chose
 * freely, so the number of time series stays small whatever clients send.
 *
 * The platform parts (HTTP, tokens, RBAC, jobs, change feed, audit) and the resources call this
 * interface; only platform/metrics knows it is Prometheus (prom-client) underneath.
 */
export interface MetricsRecorder {
  /** One answered HTTP request: its route's operation, status, api-version and time taken. */
  request(operation: string, status: number, apiVersion: string, seconds: number): void;
  /** One cryptographic operation done with a key, e.g. ("sign", "PS256", "RSA-HSM"). */
  cryptoOperation(operation: string, algorithm: string, keyType: string): void;
  /** One long-running job ended: its kind ("backup"…), outcome ("Succeeded"/"Failed") and duration. */
  jobFinished(kind: string, outcome: string, seconds: number): void;
  /** One bearer token checked: whether its earlier verification was reused from the cache. */
  tokenCheck(cacheHit: boolean): void;
  /** One RBAC decision: whether the principal's grants came from the cache. */
  rbacLookup(cacheHit: boolean): void;
  /** The change feed's listening connection was lost and is being made again. */
  changeFeedReconnect(): void;
  /** A change notification arrived this long after it was sent (clocks of nodes may differ a little). */
  changeFeedLag(seconds: number): void;
  /**
   * A change-feed heartbeat came back: every change committed before `sentAtMs` (unix ms) has
   * been delivered. While heartbeats stop, caches fall back to their short freshness bounds.
   */
  changeFeedHeartbeat(sentAtMs: number): void;
  /** A connection was refused, unanswered, for being over the server's connection limit. */
  connectionDropped(): void;
  /** A batch of audit records could not be written (each such failure refuses its requests). */
  auditWriteFailure(): void;
}

/** Records nothing: for parts built without metrics (unit tests, tools). */
export const NO_METRICS: MetricsRecorder = {
  request: () => undefined,
  cryptoOperation: () => undefined,
  jobFinished: () => undefined,
  tokenCheck: () => undefined,
  rbacLookup: () => undefined,
  changeFeedReconnect: () => undefined,
  changeFeedLag: () => undefined,
  changeFeedHeartbeat: () => undefined,
  connectionDropped: () => undefined,
  auditWriteFailure: () => undefined,
};
