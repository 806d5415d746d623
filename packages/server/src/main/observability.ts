import { join } from "node:path";
import { AuditLog, mhsmAuditFormat } from "../platform/audit/audit-log.js";
import { azureAuditFormat, defaultAuditResourceId } from "../platform/audit/azure-audit-event.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { healthModule } from "../platform/health/health-routes.js";
import { type ReadinessCheck, gateReadiness, storeReadiness } from "../platform/health/readiness.js";
import type { RequestGate } from "../platform/http/request-gates.js";
import type { ResourceModule } from "../platform/http/resource-module.js";
import { startMetricsListener } from "../platform/metrics/metrics-listener.js";
import { metricsModule } from "../platform/metrics/metrics-routes.js";
import type { PrometheusMetrics } from "../platform/metrics/prometheus-metrics.js";
import type { Shutdown } from "./shutdown.js";

/** How long /readyz waits for the store's answer before it calls the store unreachable. */
const STORE_PROBE_TIMEOUT_MS = 2000;

/** The audit log in the configured format, counting its failed writes on /metrics. */
export function openAuditLog(
  config: ServerConfig,
  metrics: PrometheusMetrics,
  vaultUrl: () => string | undefined,
): AuditLog {
  const format =
    config.audit.format === "azure"
      ? azureAuditFormat({
          resourceId: (config.audit.resourceId ?? defaultAuditResourceId(config.hsmName)).toUpperCase(),
          hsmName: config.hsmName,
          vaultUrl,
        })
      : mhsmAuditFormat;
  return new AuditLog(
    join(config.dataDir, "audit.log"),
    { writeFailed: () => metrics.auditWriteFailure() },
    format,
  );
}

/**
 * /healthz, /readyz and /metrics. Ready means: the gates are open (activated, no full restore
 * running), the store answers, and the audit log takes records (while it does not, every
 * request is refused). /metrics goes on its own listener when metrics.address is set.
 */
export async function operationalModules(parts: {
  config: ServerConfig;
  metrics: PrometheusMetrics;
  gates: readonly RequestGate[];
  pingStore: () => Promise<unknown>;
  audit: AuditLog;
  shutdown: Shutdown;
}): Promise<{ modules: ResourceModule[]; metricsUrl: string | undefined }> {
  const { config, metrics, shutdown } = parts;
  const checks: ReadinessCheck[] = [
    ...parts.gates.map(gateReadiness),
    storeReadiness(parts.pingStore, STORE_PROBE_TIMEOUT_MS),
    {
      name: "audit",
      check: async () =>
        parts.audit.available
          ? undefined
          : `The audit log cannot be written (${parts.audit.unavailableReason}).`,
    },
  ];
  const modules = [healthModule(checks)];
  const { address, token } = config.metrics;
  if (address === undefined) {
    return { modules: [...modules, metricsModule(metrics, token)], metricsUrl: undefined };
  }
  const listener = shutdown.add(await startMetricsListener(address, metrics, token), (l) => l.close());
  return { modules, metricsUrl: listener.url };
}
