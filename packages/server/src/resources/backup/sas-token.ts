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
  const problems: string[] = [];
  if (!query || /\s/.test(query)) problems.push("it must be a URL query string");
  for (const field of ["sv", "se", "sig"]) if (!params.get(field)) problems.push(`'${field}' is missing`);
  const expiresOn = new Date(params.get("se") ?? "");
  if (params.get("se") && Number.isNaN(expiresOn.getTime())) problems.push("'se' is not a date");
  if (problems.length > 0) {
    throw KeyVaultErrors.badRequest(`The customer provided SAS token is malformed: ${problems.join("; ")}.`);
  }
  return { query, expiresOn, permissions: params.get("sp") ?? "" };
}

/** Removes SAS signatures from text that may quote a URL (storage error messages). */
export function redactSas(text: string): string {
  return text.replace(/([?&]sig=)[^&\s"'<]+/gi, "$1REDACTED");
}
