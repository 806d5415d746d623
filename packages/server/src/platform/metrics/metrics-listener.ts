import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { metricsScrapeAllowed } from "./metrics-access.js";
import { METRICS_REALM, METRICS_REFUSAL } from "./metrics-routes.js";
import type { PrometheusMetrics } from "./prometheus-metrics.js";

/**
 * /metrics on a listener of its own (metrics.address), plain HTTP as Prometheus scrapes by
 * default: kept off the HSM's public address, on an interface only the monitoring network
 * reaches. The token, when set, is still required. Nothing else is served here.
 */
export async function startMetricsListener(
  address: string,
  metrics: PrometheusMetrics,
  token: string | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(`http://${address}`);
  const host = hostname.replace(/^\[|\]$/g, "");
  const server = createServer((request, response) => {
    void answer(request, response, metrics, token).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: Number(port || 80) }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  const boundPort = typeof bound === "object" && bound ? bound.port : Number(port);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}/metrics`,
    close: () => closeServer(server),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: PrometheusMetrics,
  token: string | undefined,
): Promise<void> {
  const path = (request.url ?? "/").split("?")[0];
  if (path !== "/metrics") return sendError(response, 404, "NotFound", "Only /metrics is served here.");
  if (request.method !== "GET") {
    response.setHeader("allow", "GET");
    return sendError(
      response,
      405,
      "MethodNotAllowed",
      `The ${String(request.method).slice(0, 20)} method is not supported on this path; use GET.`,
    );
  }
  if (!metricsScrapeAllowed(token, request.headers.authorization)) {
    response.setHeader("www-authenticate", METRICS_REALM);
    return sendError(response, 401, "Unauthorized", METRICS_REFUSAL);
  }
  const { contentType, body } = await metrics.scrape();
  response.writeHead(200, { "content-type": contentType, "cache-control": "no-cache" });
  response.end(body);
}

/** The same error body as the HSM's own listener answers. */
function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  const id = randomUUID();
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ms-request-id": id });
  response.end(
    JSON.stringify({ error: { code, message: `${message} (Activity ID: ${id})`, innererror: null } }),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
