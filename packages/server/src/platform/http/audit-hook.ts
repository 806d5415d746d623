import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuditLog, AuditRecord } from "../audit/audit-log.js";
import { type KeyVaultErrorCode, statusOf } from "../errors/key-vault-errors.js";
import { apiVersionLabel } from "./api-version.js";
import { sendKeyVaultError } from "./key-vault-error.js";
import "./fastify-types.js";

/** How long clients are told to wait while the audit log cannot be written. */
const RETRY_AFTER_SECONDS = "5";
const CODE: KeyVaultErrorCode = "AuditLogUnavailable";

/** Headers of the answer a refused record replaces: they must not survive into the 503. */
const DROPPED_HEADERS = ["location", "azure-asyncoperation", "etag", "content-length", "content-type"];

/**
 * Audits what was attempted with credentials: bearer-token requests and token requests.
 *
 * Audit fails closed: the record is written before the answer is sent (onSend awaits it), and
 * an answer whose record cannot be stored becomes a 503. While the log is unavailable every
 * request is refused before its handler runs, so nothing changes unrecorded; the record of
 * each refused request is the probe that finds the log writable again.
 */
export function registerAuditHook(app: FastifyInstance, audit: AuditLog): void {
  const refused = new WeakSet<FastifyRequest>();

  app.addHook("onRequest", async (request, reply) => {
    if (audit.available || reply.sent || request.routeOptions.config?.operational) return;
    refused.add(request);
    reply.header("retry-after", RETRY_AFTER_SECONDS);
    return sendKeyVaultError(request, reply, statusOf(CODE), CODE, unavailableMessage(audit));
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.config?.operational) return payload;
    const audited = request.headers.authorization !== undefined || request.auditClientId !== undefined;
    if (!audited && !refused.has(request)) return payload;
    try {
      await audit.write(recordOf(request, reply));
      return payload;
    } catch {
      if (refused.has(request)) return payload;
      return replaceWithUnavailable(request, reply, payload, unavailableMessage(audit));
    }
  });
}

function unavailableMessage(audit: AuditLog): string {
  const reason = audit.unavailableReason ? ` (${audit.unavailableReason})` : "";
  return `The HSM cannot write its audit log${reason}, so it refuses requests until it can; nothing was recorded as done. Retry later.`;
}

/** The answer becomes a Key Vault 503: no success reaches a client without its audit record. */
function replaceWithUnavailable(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  message: string,
): string {
  const stream = payload as { destroy?: () => void } | null;
  if (stream && typeof stream.destroy === "function") stream.destroy();
  for (const header of DROPPED_HEADERS) reply.removeHeader(header);
  request.auditErrorCode = CODE;
  reply
    .code(statusOf(CODE))
    .header("content-type", "application/json; charset=utf-8")
    .header("retry-after", RETRY_AFTER_SECONDS);
  return JSON.stringify({
    error: { code: CODE, message: `${message} (Activity ID: ${request.id})`, innererror: null },
  });
}

function recordOf(request: FastifyRequest, reply: FastifyReply): AuditRecord {
  const caller = request.caller
    ? { objectId: request.caller.objectId, tenantId: request.caller.tenantId, appId: request.caller.appId }
    : request.auditClientId !== undefined
      ? { clientId: request.auditClientId }
      : null;
  const status = reply.statusCode;
  return {
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
    callerIpAddress: request.ip,
    apiVersion: knownApiVersion(request),
    clientInfo: headerValue(request.headers["user-agent"], 256),
  };
}

function headerValue(value: string | string[] | undefined, limit = 128): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.slice(0, limit);
}

/** The api-version asked for, only when it is one the server knows (never a caller's free text). */
function knownApiVersion(request: FastifyRequest): string | undefined {
  const label = apiVersionLabel(request.query);
  return label === "none" || label === "unsupported" ? undefined : label;
}
