import { randomUUID } from "node:crypto";
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { type KeyVaultErrorCode, statusOf } from "../errors/key-vault-errors.js";

/** How long a connection that got a client-error answer may keep sending before it is cut off. */
const LINGER_MS = 2000;

/** The catalog's code, and a message, for the errors node's HTTP parser reports (`clientError`). */
function describe(error: NodeJS.ErrnoException): { code: KeyVaultErrorCode; message: string } {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        code: "RequestHeaderFieldsTooLarge",
        message: "The request line and headers are larger than this server accepts.",
      };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        code: "RequestTimeout",
        message: "The request was not received in time; the connection is closed.",
      };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return {
        code: "RequestTooLarge",
        message: "The request's chunk extensions are larger than this server accepts.",
      };
    case "HPE_INVALID_METHOD":
      return { code: "MethodNotAllowed", message: "The request method is not supported." };
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return { code: "BadRequest", message: "The request's Content-Length is not valid." };
    default:
      return { code: "BadRequest", message: "The request is not valid HTTP." };
  }
}

const answered = new WeakSet<Socket>();

/**
 * The server's `clientError` handler: node calls it when a request cannot even be parsed (bad
 * request line, too many header bytes, bad Content-Length, a timeout). It answers, when nothing
 * of a response was written yet, with a complete HTTP response carrying the Key Vault error body,
 * then closes the connection gracefully: closing at once with unread input makes the kernel send
 * a reset, which throws away the answer before the client reads it.
 */
export function keyVaultClientErrorHandler(
  error: NodeJS.ErrnoException,
  socket: Socket,
  /** Hears each answer given here: these requests never reach the routes, nor their counting. */
  answeredWith: (status: number) => void = () => undefined,
): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // The parser reports every later chunk of a broken request again: answer once.
  if (answered.has(socket)) return;
  answered.add(socket);
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { code, message } = describe(error);
  socket.end(rawKeyVaultError(code, message));
  answeredWith(statusOf(code));
  // Keep reading (and dropping) what the client still sends, for a moment, then let go.
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once("close", () => clearTimeout(linger));
  socket.resume();
}

/** A complete HTTP/1.1 response with a Key Vault error body, for answers written on the socket. */
function rawKeyVaultError(code: KeyVaultErrorCode, message: string): string {
  const status = statusOf(code);
  const requestId = randomUUID();
  const body = JSON.stringify({
    error: { code, message: `${message} (Activity ID: ${requestId})`, innererror: null },
  });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
    `content-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-ms-request-id: ${requestId}\r\n` +
    `cache-control: no-cache\r\n` +
    `x-content-type-options: nosniff\r\n` +
    `strict-transport-security: max-age=31536000; includeSubDomains\r\n` +
    `connection: close\r\n\r\n${body}`
  );
}

/**
 * The answers node's HTTP server would otherwise give on its own, with no body or none at all:
 * an `Expect` other than 100-continue (417), and CONNECT (the socket was simply destroyed).
 */
export function installNodeLevelAnswers(server: HttpsServer): void {
  server.on("checkExpectation", (_request: IncomingMessage, response: ServerResponse) => {
    response.shouldKeepAlive = false;
    response.socket?.end(rawKeyVaultError("ExpectationFailed", "The request's Expect header cannot be met."));
  });
  server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => undefined);
    socket.end(rawKeyVaultError("MethodNotAllowed", "The CONNECT method is not supported."));
  });
}
