import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../errors/domain-error.js";
import { type KeyVaultErrorCode, KeyVaultErrors, statusOf } from "../errors/key-vault-errors.js";

/**
 * The Key Vault error body: {"error":{"code","message","innererror"}}, message ending with the
 * activity id. `code` is a catalog code (platform/errors/key-vault-errors.ts), so no answer can
 * carry a code the catalog does not list.
 */
export function sendKeyVaultError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: KeyVaultErrorCode,
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

/** A catalog error as its Key Vault answer: the status the catalog gives its code. */
export function sendDomainError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: DomainError,
): FastifyReply {
  return sendKeyVaultError(request, reply, statusOf(error.code), error.code, error.message, error.innerCode);
}

/**
 * The catalog error for what a route threw: a DomainError as it is, the framework's errors about
 * the request's body (schema validation, size, media type, JSON) as Key Vault words them;
 * undefined for anything else.
 */
export function keyVaultErrorOf(
  error: FastifyError | DomainError | Error,
  bodyLimitBytes: number,
): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if ((error as FastifyError).validation) {
    return KeyVaultErrors.badParameter(`The request body is not valid: ${error.message}.`);
  }
  switch ((error as FastifyError).code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return KeyVaultErrors.requestTooLarge(bodyLimitBytes);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return KeyVaultErrors.unsupportedMediaType();
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return KeyVaultErrors.badParameter("The request body is empty; a JSON object was expected.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return KeyVaultErrors.badParameter("The request body is not valid JSON.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return KeyVaultErrors.badParameter("The request body does not match its Content-Length.");
  }
  if (error instanceof SyntaxError) return KeyVaultErrors.badParameter("The request body is not valid JSON.");
  return undefined;
}
