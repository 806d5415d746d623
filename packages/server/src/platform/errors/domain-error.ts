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
  | "Unavailable"
  /** A write that could not be stored: the disk (or the database's) is full. */
  | "InsufficientStorage"
  /** Too many attempts from one client: try again after the Retry-After the route sets. */
  | "TooManyRequests"
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

export const HSM_NOT_ACTIVATED =
  "This HSM is not activated: an administrator must download its security domain (mhsm security-domain download) or upload an existing one (mhsm security-domain upload) first.";

/**
 * No domain key yet: the HSM waits for its security domain (download on a new HSM, upload on a
 * new or sealed one). 503, as a sealed HashiCorp Vault answers: the service is there, its
 * contents are not available until an administrator acts.
 */
export const hsmNotActivated = (message = HSM_NOT_ACTIVATED) =>
  new DomainError("Unavailable", "HsmNotActivated", message);
