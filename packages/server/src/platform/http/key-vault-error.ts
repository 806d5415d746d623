import type { FastifyReply, FastifyRequest } from "fastify";
import { type DomainErrorKind } from "../errors/domain-error.js";

/** HTTP status for each domain error kind: the one place this mapping lives. */
export const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  BadParameter: 400,
  LimitExceeded: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  NotImplemented: 501,
  Unavailable: 503,
  InsufficientStorage: 507,
  TooManyRequests: 429,
  Internal: 500,
};

/** The Key Vault error body: {"error":{"code","message","innererror"}}, message ending with the activity id. */
export function sendKeyVaultError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  innerCode?: string,
): FastifyReply {
  request.auditErrorCode = code;
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({
      error: {
        code,
        message: `${message} (Activity ID: ${request.id})`,
        innererror: innerCode ? { code: innerCode } : null,
      },
    });
}
