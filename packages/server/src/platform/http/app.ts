import { randomUUID } from "node:crypto";
import type { Server as HttpsServer } from "node:https";
import Fastify, {
  LogController,
  errorCodes,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { AuditLog } from "../audit/audit-log.js";
import { TokenRejectedError, type TokenVerifier } from "../auth/token-verifier.js";
import type { RbacEngine } from "../authorization/rbac-engine.js";
import type { DomainError } from "../errors/domain-error.js";
import { type KeyVaultErrorCode, KeyVaultErrors } from "../errors/key-vault-errors.js";
import { loggableError } from "../logging/loggable-error.js";
import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";
import { registerRequestMetrics } from "../metrics/request-metrics-hook.js";
import { checkApiVersion } from "./api-version.js";
import { installNodeLevelAnswers, keyVaultClientErrorHandler } from "./client-errors.js";
import { type ConnectionLimits, applyConnectionLimits, httpsServerOptions } from "./connection-limits.js";
import { challengeHeader } from "./challenge.js";
import "./fastify-types.js";
import { keyVaultErrorOf, sendDomainError, sendKeyVaultError } from "./key-vault-error.js";
import { type DeclaredRoute, RouteRegistry } from "./route-registry.js";
import { registerAuditHook } from "./audit-hook.js";
import type { RequestGate } from "./request-gates.js";
import type { ResourceModule } from "./resource-module.js";

export interface HttpDependencies {
  tls: { cert: string; key: string };
  connections: ConnectionLimits;
  bodyLimitBytes: number;
  logLevel: string;
  resource: string;
  /** Where the challenge sends clients for tokens; the embedded provider's authority by default. */
  challengeAuthority: () => string;
  baseUrl: () => string;
  verifier: TokenVerifier;
  rbac: RbacEngine;
  audit: AuditLog;
  /** Where request counts and latencies go (/metrics). */
  metrics?: MetricsRecorder;
  /** Checked in this order on every authenticated request; a route passes those it declares. */
  gates: readonly RequestGate[];
  /** The resources, each registering its own routes. */
  modules: readonly ResourceModule[];
}

/** Collapses repeated slashes and decodes %2F in the path, so every scope spelling routes alike. */
export function normalizeRequestUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt);
  const normalized = path.replace(/%2f/gi, "/").replace(/\/{2,}/g, "/");
  return normalized + query;
}

/** The methods routes are declared with; any other gets 405 wherever it is sent. */
const ROUTED_METHODS = new Set(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]);

/** Key Vault error codes for the 4xx statuses the framework itself may produce. */
const CODE_OF_STATUS: Record<number, [KeyVaultErrorCode, string]> = {
  400: ["BadParameter", "The request is not valid."],
  404: ["NotFound", "The requested path does not exist on this HSM."],
  405: ["MethodNotAllowed", "The request method is not supported on this path."],
  408: ["RequestTimeout", "The request was not received in time."],
  411: ["LengthRequired", "The request needs a Content-Length."],
  413: ["RequestTooLarge", "The request body is too large."],
  414: ["RequestUriTooLong", "The request URL is too long."],
  415: ["UnsupportedMediaType", "The request body must be application/json."],
  431: ["RequestHeaderFieldsTooLarge", "The request headers are too large."],
};

/** Headers every answer carries, from the routes and from the framework's own error paths. */
function setCommonHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("x-ms-request-id", request.id);
  reply.header("cache-control", "no-cache");
  reply.header("x-content-type-options", "nosniff");
  reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
}

/** The operation /metrics counts requests under that node could not parse (no route saw them). */
const CLIENT_ERROR_OPERATION = "ClientError";

export function createHttpApp(deps: HttpDependencies): {
  app: FastifyInstance;
  routes: readonly DeclaredRoute[];
} {
  const app = Fastify({
    https: {
      cert: deps.tls.cert,
      key: deps.tls.key,
      minVersion: "TLSv1.2",
      ...httpsServerOptions(deps.connections),
    },
    // Fastify sets these on the server after creating it (its own defaults otherwise).
    connectionTimeout: deps.connections.idleTimeoutMs,
    keepAliveTimeout: deps.connections.keepAliveTimeoutMs,
    requestTimeout: deps.connections.requestTimeoutMs,
    // Requests node cannot parse get a Key Vault error too, not Fastify's body or a reset.
    clientErrorHandler: (error, socket) =>
      keyVaultClientErrorHandler(error, socket, (status) =>
        (deps.metrics ?? NO_METRICS).request(CLIENT_ERROR_OPERATION, status, "none", 0),
      ),
    // A malformed percent-escape or an overlong path parameter, found while routing.
    frameworkErrors: (error, request, reply) => {
      setCommonHeaders(request, reply);
      const status = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? 414 : 400;
      const [code, message] = CODE_OF_STATUS[status] as [KeyVaultErrorCode, string];
      return sendKeyVaultError(request, reply, status, code, message);
    },
    bodyLimit: deps.bodyLimitBytes,
    logger: { level: deps.logLevel },
    // Requests are recorded by the audit log; the operator log is for errors and lifecycle.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    rewriteUrl: (req) => normalizeRequestUrl(req.url ?? "/"),
    // Key names may be 127 characters; the router's default limit on a path parameter is 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  app.decorate("mhsmBaseUrl", deps.baseUrl);
  applyConnectionLimits(app.server as HttpsServer, deps.connections, () =>
    (deps.metrics ?? NO_METRICS).connectionDropped(),
  );
  installNodeLevelAnswers(app.server as HttpsServer);

  // Token requests are form-encoded (OAuth 2.0); URLSearchParams is the whole parser we need.
  // Only on routes that declare `formBody`: a form sent to any other route is refused, never
  // read as that route's body.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (request, body, done) => {
      if (!request.routeOptions.config?.formBody) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE("application/x-www-form-urlencoded"));
        return;
      }
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.addHook("onRequest", async (request, reply) => {
    setCommonHeaders(request, reply);
    const declaration = request.routeOptions.config;
    if (declaration?.public) return;

    // The challenge comes first, before api-version, routing or the body: SDKs send their first
    // request without a token (and without its body) to learn where to get one.
    const authorization = request.headers.authorization;
    if (!authorization) {
      return challenge(request, reply, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) {
      return challenge(
        request,
        reply,
        "Unauthorized",
        "AKV10001: The authorization header is not a Bearer token.",
        "invalid_token",
      );
    }
    try {
      request.caller = await deps.verifier.verify(match[1] as string);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      return challenge(request, reply, "Unauthorized", error.message, "invalid_token");
    }
    if (declaration?.apiVersion !== false)
      checkApiVersion((request.query as Record<string, unknown>)["api-version"]);
    for (const gate of deps.gates) {
      const refusal = declaration?.passes?.includes(gate.name) ? undefined : gate.refusal();
      if (!refusal) continue;
      if (refusal.retryAfterSeconds !== undefined)
        reply.header("retry-after", String(refusal.retryAfterSeconds));
      return sendKeyVaultError(request, reply, 503, refusal.code, refusal.message);
    }
  });

  registerAuditHook(app, deps.audit);
  registerRequestMetrics(app, deps.metrics ?? NO_METRICS);

  function challenge(
    request: FastifyRequest,
    reply: FastifyReply,
    code: KeyVaultErrorCode,
    message: string,
    error?: string,
  ) {
    reply.header("www-authenticate", challengeHeader(deps.challengeAuthority(), deps.resource, error));
    return sendKeyVaultError(request, reply, 401, code, message);
  }

  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    // Catalog errors (and the framework's body errors, as catalog errors): the one mapping.
    const known = keyVaultErrorOf(error, deps.bodyLimitBytes);
    if (known) return sendDomainError(request, reply, known);
    // Any other client error the framework raises: its status, a Key Vault body, no internals.
    const frameworkStatus = (error as FastifyError).statusCode;
    if (frameworkStatus !== undefined && frameworkStatus >= 400 && frameworkStatus < 500) {
      const [code, message] = CODE_OF_STATUS[frameworkStatus] ?? ["BadRequest", "The request is not valid."];
      return sendKeyVaultError(request, reply, frameworkStatus, code, message);
    }
    // Unexpected: log it for the operator, tell the caller nothing about internals.
    request.log.error({ error: loggableError(error), requestId: request.id }, "unhandled error");
    return sendDomainError(request, reply, KeyVaultErrors.internalServerError());
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (!ROUTED_METHODS.has(request.method)) {
      return sendKeyVaultError(
        request,
        reply,
        405,
        "MethodNotAllowed",
        `The ${request.method.slice(0, 20)} method is not supported.`,
      );
    }
    return sendKeyVaultError(
      request,
      reply,
      404,
      "NotFound",
      "The requested path does not exist on this HSM.",
    );
  });

  const routes = new RouteRegistry(app, deps.rbac);
  for (const module of deps.modules) module.register(routes);
  routes.finish();
  return { app, routes: routes.declared };
}
