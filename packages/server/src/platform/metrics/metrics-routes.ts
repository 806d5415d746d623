import type { ResourceModule } from "../http/resource-module.js";
import { sendKeyVaultError } from "../http/key-vault-error.js";
import { metricsScrapeAllowed } from "./metrics-access.js";
import type { PrometheusMetrics } from "./prometheus-metrics.js";

export const METRICS_REALM = 'Bearer realm="mhsm-metrics"';
export const METRICS_REFUSAL =
  "The metrics endpoint needs the bearer token configured as metrics.token (MHSM_METRICS_TOKEN).";

/**
 * GET /metrics on the HSM's own listener, in Prometheus' text format. Public in the RBAC sense
 * (a scraper is no Key Vault principal), protected by the metrics token when one is set. Counts
 * only, never key names or principal ids: see metrics-recorder.ts.
 */
export function metricsModule(metrics: PrometheusMetrics, token: string | undefined): ResourceModule {
  return {
    register(routes) {
      routes.public({
        method: "GET",
        url: "/metrics",
        operation: "Metrics_Get",
        operational: true,
        handler: async (request, reply) => {
          if (!metricsScrapeAllowed(token, request.headers.authorization)) {
            reply.header("www-authenticate", METRICS_REALM);
            return sendKeyVaultError(request, reply, 401, "Unauthorized", METRICS_REFUSAL);
          }
          const { contentType, body } = await metrics.scrape();
          return reply.code(200).type(contentType).send(body);
        },
      });
    },
  };
}
