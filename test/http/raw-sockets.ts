import assert from "node:assert/strict";
import { type Socket, connect as netConnect } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import type { ServerProcess } from "../harness/server-process.js";

/** Loopback sockets to a test server, for the clients no SDK would ever be. */
type Target = Pick<ServerProcess, "port" | "ca">;

/** A plain TCP connection that never speaks TLS. */
export function openTcp(server: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port: server.port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** A TLS connection, resolved once the handshake is done. */
export function openTls(server: Target): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: server.ca }, () => resolve(socket));
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("closed before the TLS handshake finished")));
  });
}

/**
 * Reads the socket until it closes: resolves with the milliseconds from `since` to its 'close';
 * fails (and destroys the socket) when it is still open at the deadline.
 */
export function closedWithin(socket: Socket, deadlineMs: number, since = Date.now()): Promise<number> {
  socket.on("error", () => undefined);
  // A socket nobody reads never sees the server's end of the connection.
  socket.resume();
  if (socket.destroyed) return Promise.resolve(Date.now() - since);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        socket.destroy();
        reject(new Error(`the server did not close the connection within ${deadlineMs} ms`));
      },
      Math.max(0, since + deadlineMs - Date.now()),
    );
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - since);
    });
  });
}

/** Calls `step` every `intervalMs` until the socket closes or `maxSteps` ran out. */
export function trickle(
  socket: Socket,
  intervalMs: number,
  maxSteps: number,
  step: (n: number) => void,
): void {
  let n = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || n >= maxSteps) {
      clearInterval(timer);
      return;
    }
    step(n++);
  }, intervalMs);
  socket.once("close", () => clearInterval(timer));
}

/** Collects everything the server sends on a socket until it closes. */
export function collect(socket: Socket): () => string {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("latin1");
}

export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Parses the first HTTP/1.1 response in `text` (Content-Length framed, as the server sends it). */
export function parseResponse(text: string): ParsedResponse {
  const end = text.indexOf("\r\n\r\n");
  assert.ok(end > 0, `no complete HTTP response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? "0");
  const body = Buffer.from(text.slice(end + 4), "latin1")
    .subarray(0, length)
    .toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/**
 * Sends raw bytes over TLS and returns the first response, read until the server closes the
 * connection (or `deadlineMs` passes: then what arrived so far). A reset after the answer is fine.
 */
export async function exchange(
  server: Target,
  request: string | Buffer,
  deadlineMs = 10_000,
): Promise<string> {
  const socket = await openTls(server);
  const received = collect(socket);
  socket.on("error", () => undefined);
  socket.write(request);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, deadlineMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.once("close", done);
    // A keep-alive answer: the response is complete once its Content-Length is in.
    socket.on("data", () => {
      const text = received();
      const head = text.indexOf("\r\n\r\n");
      if (head < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, head))?.[1] ?? "-1");
      if (length >= 0 && Buffer.byteLength(text, "latin1") >= head + 4 + length) {
        socket.destroy();
        done();
      }
    });
  });
  return received();
}

/** Asserts a Key Vault error answer: the status, {"error":{"code","message"}} and x-ms-request-id. */
export function assertKeyVaultError(response: ParsedResponse, status: number, code?: string): void {
  assert.equal(response.status, status, response.body);
  assert.equal(typeof response.json?.error?.code, "string", response.body);
  assert.equal(typeof response.json?.error?.message, "string", response.body);
  if (code) assert.equal(response.json.error.code, code, response.body);
  assert.match(response.headers["content-type"] ?? "", /^application\/json/);
  assert.ok(response.headers["x-ms-request-id"], "x-ms-request-id");
  assert.ok(
    response.json.error.message.includes(`(Activity ID: ${response.headers["x-ms-request-id"]})`),
    response.body,
  );
}
