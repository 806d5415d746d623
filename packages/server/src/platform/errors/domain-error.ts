import type { ForbiddenReason, KeyVaultErrorCode } from "./key-vault-errors.js";

/**
 * The error a client sees as a Key Vault error. Services throw these, built by the catalog's
 * factories (KeyVaultErrors in key-vault-errors.ts, which also lists every code with its HTTP
 * status); no service knows about HTTP. The http layer maps them once: the error handler in
 * platform/http/app.ts hands them to sendDomainError (platform/http/key-vault-error.ts), which
 * looks up the code's status and writes the body.
 */
export class DomainError extends Error {
  constructor(
    /** The Key Vault error code clients see, e.g. "RoleDefinitionNotFound". */
    readonly code: KeyVaultErrorCode,
    message: string,
    /** A more specific code for `innererror`, e.g. "KeyDisabled" under "Forbidden". */
    readonly innerCode?: ForbiddenReason,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
