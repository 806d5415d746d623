/**
 * Domain errors. Services throw these; the http layer maps each kind to a status code once
 * (http/error-mapping.ts), so no service knows about HTTP.
 */
export type DomainErrorKind =
  | "BadParameter"
  | "NotFound"
  | "Conflict"
  | "Forbidden"
  | "Unauthorized"
  | "LimitExceeded"
  | "NotImplemented"
  | "Internal";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** The Key Vault error code clients see, e.g. "RoleDefinitionNotFound". */
    readonly code: string,
    message: string,
    /** A more specific code for `innererror`, e.g. "AccessDenied" under "Forbidden". */
    readonly innerCode?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badParameter = (message: string, code = "BadParameter") =>
  new DomainError("BadParameter", code, message);
export const notFound = (code: string, message: string) => new DomainError("NotFound", code, message);
export const conflict = (code: string, message: string) => new DomainError("Conflict", code, message);
