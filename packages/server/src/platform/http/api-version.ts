import { KeyVaultErrors } from "../errors/key-vault-errors.js";

/** Service versions this server answers (WIRE.md: at least these). */
export const SUPPORTED_API_VERSIONS = [
  "7.2",
  "7.3",
  "7.4",
  "7.4-preview.1",
  "7.5",
  "7.5-preview.1",
  "7.6",
  "7.6-preview.2",
  "2025-07-01",
  "2026-04-01",
] as const;

const supported = new Set<string>(SUPPORTED_API_VERSIONS);

/**
 * Checks `api-version`. Some SDKs repeat it when following a nextLink (…&api-version=x&api-version=x);
 * repeated identical values are fine, differing ones are not.
 */
export function checkApiVersion(value: unknown): string {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (values.length === 0) {
    throw KeyVaultErrors.badParameter(
      `The 'api-version' query parameter is missing. Supported versions: ${SUPPORTED_API_VERSIONS.join(", ")}.`,
    );
  }
  const [first] = values;
  if (typeof first !== "string" || values.some((v) => v !== first)) {
    throw KeyVaultErrors.badParameter(
      "The 'api-version' query parameter is given more than once with different values.",
    );
  }
  if (!supported.has(first)) {
    throw KeyVaultErrors.badParameter(
      `The specified version (${first.slice(0, 40)}) is not recognized. Supported versions: ${SUPPORTED_API_VERSIONS.join(", ")}.`,
    );
  }
  return first;
}

/**
 * The api-version a request asked for when the server supports it, for audit records and metric
 * labels: a caller's free text never reaches them. "none" when absent, "unsupported" otherwise.
 */
export function apiVersionLabel(query: unknown): string {
  const value = (query as Record<string, unknown> | undefined)?.["api-version"];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return "none";
  return typeof first === "string" && supported.has(first) ? first : "unsupported";
}
