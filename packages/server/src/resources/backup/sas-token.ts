import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";

/** A SAS token, parsed enough to check it before using it (never logged, never stored in plain text). */
export interface SasToken {
  /** The query string without a leading "?". */
  query: string;
  expiresOn: Date;
  /** Permission letters (sp), e.g. "rwl"; empty when the token does not say. */
  permissions: string;
}

/**
 * Checks the form of a SAS token: a query string with a version, an expiry and a signature.
 * The storage service is the judge of everything else (signature, permissions, expiry): its
 * verdict reaches the caller through the job.
 */
export function parseSasToken(raw: string): SasToken {
  const query = raw.trim().replace(/^\?/, "");
  const params = new URLSearchParams(query);
  // One reason, the first found, in the service's order: the expiry field first (a token like
  // "bad_token" is answered "does not contain the expiry field").
  if (!params.get("se")) throw KeyVaultErrors.sasTokenMalformed("expiry");
  if (/\s/.test(query)) throw KeyVaultErrors.sasTokenMalformed("query");
  const expiresOn = new Date(params.get("se") as string);
  if (Number.isNaN(expiresOn.getTime())) throw KeyVaultErrors.sasTokenMalformed("expiry date");
  if (!params.get("sig")) throw KeyVaultErrors.sasTokenMalformed("signature");
  if (!params.get("sv")) throw KeyVaultErrors.sasTokenMalformed("version");
  return { query, expiresOn, permissions: params.get("sp") ?? "" };
}

/** Removes SAS signatures from text that may quote a URL (storage error messages). */
export function redactSas(text: string): string {
  return text.replace(/([?&]sig=)[^&\s"'<]+/gi, "$1REDACTED");
}
