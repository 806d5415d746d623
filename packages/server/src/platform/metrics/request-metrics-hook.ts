import type { FastifyInstance } from "fastify";
import { apiVersionLabel } from "../http/api-version.js";
import "../http/fastify-types.js";
import type { MetricsRecorder } from "./metrics-recorder.js";

/**
 * Counts every answered request with its latency, as its answer is sent (onSend, after the audit
 * hook, so a status the audit hook changed is the one counted): a client that scrapes right
 * after an answer finds that answer counted. The operation label is the route table's
 * operation name; requests that matched no route are "NotFound". The api-version label is the
 * version asked for when the server supports it, "none" or "unsupported" otherwise: a caller's
 * free text never becomes a label.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: MetricsRecorder): void {
  app.addHook("onSend", async (request, reply, payload) => {
    metrics.request(
      request.routeOptions.config?.operation ?? "NotFound",
      reply.statusCode,
      apiVersionLabel(request.query),
      reply.elapsedTime / 1000,
    );
    return payload;
  });
}
