import type { FastifyInstance } from "fastify";
import type { AuditLog } from "../audit/audit-log.js";
import "./fastify-types.js";

/** Audits what was attempted with credentials: bearer-token requests and token requests. */
export function registerAuditHook(app: FastifyInstance, audit: AuditLog): void {
  app.addHook("onResponse", async (request, reply) => {
    // Audit what was attempted with credentials: bearer-token requests and token requests.
    if (!request.headers.authorization && request.auditClientId === undefined) return;
    const caller = request.caller
      ? { objectId: request.caller.objectId, tenantId: request.caller.tenantId, appId: request.caller.appId }
      : request.auditClientId !== undefined
        ? { clientId: request.auditClientId }
        : null;
    const status = reply.statusCode;
    audit.write({
      time: new Date().toISOString(),
      requestId: request.id,
      correlationId: headerValue(
        request.headers["x-ms-client-request-id"] ?? request.headers["client-request-id"],
      ),
      caller,
      operation: request.routeOptions.config?.operation ?? "Unknown",
      method: request.method,
      path: (request.url.split("?")[0] ?? "").slice(0, 512),
      target: request.auditTarget,
      status,
      result: status < 400 ? "success" : "failure",
      errorCode: request.auditErrorCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    });
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.slice(0, 128);
}
