import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsRecorder } from "./metrics-recorder.js";

/** Request latency buckets (seconds): from a cached token check to a slow RSA-4096 signature. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Job durations (seconds): a pre-check takes a moment, a large backup minutes. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];
/** Change-feed delivery (seconds): milliseconds normally, seconds when PostgreSQL is busy. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/**
 * The server's metrics in one prom-client registry of its own (not the library's global one,
 * so two servers in one process, as in tests, do not mix their counts), with Node's process
 * metrics (CPU, memory, event-loop lag, open handles) besides.
 */
export class PrometheusMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  readonly #requests: Counter<"operation" | "status" | "api_version">;
  readonly #latency: Histogram<"operation">;
  readonly #crypto: Counter<"operation" | "algorithm" | "key_type">;
  readonly #jobs: Counter<"kind" | "outcome">;
  readonly #jobDuration: Histogram<"kind" | "outcome">;
  readonly #tokenChecks: Counter<"cache">;
  readonly #rbacLookups: Counter<"cache">;
  readonly #reconnects: Counter;
  readonly #lag: Histogram;
  readonly #heartbeat: Gauge;
  readonly #dropped: Counter;
  readonly #auditFailures: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: "mhsm_http_requests_total",
      help: "HTTP requests answered, by route operation, status code and api-version",
      labelNames: ["operation", "status", "api_version"],
      registers,
    });
    this.#latency = new Histogram({
      name: "mhsm_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer, by route operation",
      labelNames: ["operation"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#crypto = new Counter({
      name: "mhsm_crypto_operations_total",
      help: "Cryptographic operations done with keys, by operation, algorithm and key type",
      labelNames: ["operation", "algorithm", "key_type"],
      registers,
    });
    this.#jobs = new Counter({
      name: "mhsm_jobs_total",
      help: "Long-running jobs (backup, restore, pre-checks) ended on this node, by kind and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.#jobDuration = new Histogram({
      name: "mhsm_job_duration_seconds",
      help: "How long jobs ran on this node, by kind and outcome",
      labelNames: ["kind", "outcome"],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.#tokenChecks = new Counter({
      name: "mhsm_token_checks_total",
      help: "Bearer tokens checked, by whether the verification was reused from the cache (hit) or done (miss)",
      labelNames: ["cache"],
      registers,
    });
    this.#rbacLookups = new Counter({
      name: "mhsm_rbac_lookups_total",
      help: "RBAC decisions, by whether the principal's grants came from the cache (hit) or the store (miss)",
      labelNames: ["cache"],
      registers,
    });
    this.#reconnects = new Counter({
      name: "mhsm_change_feed_reconnects_total",
      help: "Times the PostgreSQL change feed's listening connection was lost and made again",
      registers,
    });
    this.#lag = new Histogram({
      name: "mhsm_change_feed_lag_seconds",
      help: "Delay from a change notification's sending to its arrival (across nodes, includes clock skew)",
      buckets: LAG_BUCKETS,
      registers,
    });
    this.#heartbeat = new Gauge({
      name: "mhsm_change_feed_last_heartbeat_timestamp_seconds",
      help: "When the last change-feed heartbeat that came back was sent (unix seconds); alert on time() minus this",
      registers,
    });
    this.#dropped = new Counter({
      name: "mhsm_connections_dropped_total",
      help: "Connections refused unanswered because the server held its maximum (--max-connections)",
      registers,
    });
    this.#auditFailures = new Counter({
      name: "mhsm_audit_write_failures_total",
      help: "Audit log writes that failed (the requests they belonged to were refused)",
      registers,
    });
  }

  request(operation: string, status: number, apiVersion: string, seconds: number): void {
    this.#requests.inc({ operation, status: String(status), api_version: apiVersion });
    this.#latency.observe({ operation }, seconds);
  }

  cryptoOperation(operation: string, algorithm: string, keyType: string): void {
    this.#crypto.inc({ operation, algorithm, key_type: keyType });
  }

  jobFinished(kind: string, outcome: string, seconds: number): void {
    this.#jobs.inc({ kind, outcome });
    this.#jobDuration.observe({ kind, outcome }, seconds);
  }

  tokenCheck(cacheHit: boolean): void {
    this.#tokenChecks.inc({ cache: cacheHit ? "hit" : "miss" });
  }

  rbacLookup(cacheHit: boolean): void {
    this.#rbacLookups.inc({ cache: cacheHit ? "hit" : "miss" });
  }

  changeFeedReconnect(): void {
    this.#reconnects.inc();
  }

  changeFeedLag(seconds: number): void {
    this.#lag.observe(Math.max(0, seconds));
  }

  changeFeedHeartbeat(sentAtMs: number): void {
    this.#heartbeat.set(sentAtMs / 1000);
  }

  connectionDropped(): void {
    this.#dropped.inc();
  }

  auditWriteFailure(): void {
    this.#auditFailures.inc();
  }

  /** The text exposition format and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
