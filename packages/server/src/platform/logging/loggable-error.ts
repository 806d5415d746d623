/**
 * What the server writes to its log about an error it did not expect: the error's class, message
 * and stack, with anything shaped like a credential replaced. Never the error's other properties:
 * storage and HTTP errors carry their request (a URL with a SAS signature, headers with a bearer
 * token), and a generic serializer would print them.
 */
export interface LoggableError {
  type: string;
  message: string;
  stack?: string;
}

export function loggableError(error: unknown): LoggableError {
  if (!(error instanceof Error)) return { type: typeof error, message: redactCredentials(String(error)) };
  const loggable: LoggableError = { type: error.name, message: redactCredentials(error.message) };
  if (error.stack) loggable.stack = redactCredentials(error.stack);
  return loggable;
}

/** One line for a plain-text log: `Type: message`. */
export function loggableErrorLine(error: unknown): string {
  const { type, message } = loggableError(error);
  return `${type}: ${message}`;
}

const REDACTIONS: readonly [RegExp, string][] = [
  // SAS signatures in storage URLs (the signature is what grants access).
  [/([?&]sig=)[^&\s"'<>]+/gi, "$1REDACTED"],
  // A whole private key in PEM.
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, "[REDACTED PRIVATE KEY]"],
  // JWTs anywhere (access tokens, client assertions), with or without "Bearer".
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, "[REDACTED TOKEN]"],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, "$1 [REDACTED]"],
  // Secrets in form bodies, query strings and JSON.
  [/\b(client_secret|client_assertion|password|secret|token|code)=[^&\s"']+/gi, "$1=REDACTED"],
  [
    /("(?:clientSecret|client_secret|password|secret|accessToken|access_token|k|d|p|q|dp|dq|qi)"\s*:\s*)"[^"]*"/g,
    '$1"REDACTED"',
  ],
  // Passwords in connection strings (postgres://user:password@host).
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, "$1REDACTED@"],
];

export function redactCredentials(text: string): string {
  return REDACTIONS.reduce(
    (redacted, [pattern, replacement]) => redacted.replace(pattern, replacement),
    text,
  );
}
