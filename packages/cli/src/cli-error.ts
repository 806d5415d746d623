import { AuthenticationError } from "@azure/identity";
import { isRestError } from "@azure/core-rest-pipeline";

/** A failure found here, before or instead of asking the HSM: a bad argument, a missing file. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A wrong or missing argument (the code commander's own usage errors get too). */
export function badArgument(message: string): CliError {
  return new CliError("BadArgument", message);
}

/**
 * The `<code>` and `<message>` of `error: <code>: <message>`: the service's error code and
 * message when the HSM or the identity provider answered, a short code for local failures.
 * Never a stack trace, a request body or a token.
 */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof CliError) return { code: error.code, message: error.message };
  if (error instanceof AuthenticationError) return authenticationFailure(error);
  if (isRestError(error)) {
    const body = serviceErrorIn(error.response?.bodyAsText);
    if (body) return body;
    const code = error.code ?? (error.statusCode ? `HTTP${error.statusCode}` : "RequestFailed");
    const hint = UNTRUSTED_CERTIFICATE_CODES.includes(code)
      ? " (is the HSM's CA trusted? see --ca-file)"
      : "";
    // @azure/keyvault-keys' list paging keeps the service's code but not its message.
    const message = error.message.startsWith("Pagination failed")
      ? `the HSM refused to list (HTTP ${error.statusCode})`
      : firstLine(error.message);
    return { code, message: `${message}${hint}` };
  }
  if (error instanceof Error) {
    const systemCode = (error as NodeJS.ErrnoException).code;
    if (typeof systemCode === "string") {
      // Node's own messages start with their code ("ENOENT: no such file..."): say it once.
      return { code: systemCode, message: error.message.replace(`${systemCode}: `, "") };
    }
    // @azure/identity's CredentialUnavailableError, AggregateAuthenticationError, AbortError...
    const code = error.name && error.name !== "Error" ? error.name : "Failed";
    return { code, message: firstLine(error.message) };
  }
  return { code: "Failed", message: String(error) };
}

/** Writes the failure on stderr and makes the process exit non-zero; stdout stays empty. */
export function reportFailure(error: unknown): void {
  const { code, message } = describeError(error);
  process.stderr.write(`error: ${code}: ${message}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}

/** A verb's action: runs it and turns any failure into `error: <code>: <message>`. */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (error) {
      reportFailure(error);
    }
  };
}

/**
 * The service's own `{"error":{"code","message"}}`. Some SDK paths (list paging in
 * @azure/keyvault-keys) throw a RestError with a generic message; the body still has the words.
 */
function serviceErrorIn(bodyText: string | null | undefined): { code: string; message: string } | undefined {
  if (!bodyText) return undefined;
  try {
    const error = (JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code === "string" && typeof error.message === "string") {
      return { code: error.code, message: firstLine(error.message) };
    }
  } catch {
    // not JSON: the RestError's own words will do
  }
  return undefined;
}

/** Node's TLS verification failures: the usual cause is a local server's CA not given. */
const UNTRUSTED_CERTIFICATE_CODES = [
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
];

/**
 * The identity provider's OAuth error code ("invalid_client") and description. Some
 * credentials (EnvironmentCredential) put their own sentence where the code goes and move the
 * code to the start of the description.
 */
function authenticationFailure(error: AuthenticationError): { code: string; message: string } {
  const { error: code, errorDescription } = error.errorResponse;
  const description = firstLine(errorDescription ?? error.message);
  if (/^[A-Za-z_][\w.]*$/.test(code)) return { code, message: description };
  const inner = /^([A-Za-z_][\w.]*): (.*)$/.exec(description);
  if (inner) return { code: inner[1] as string, message: inner[2] as string };
  return { code: "AuthenticationFailed", message: `${code} ${description}` };
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() || message;
}
