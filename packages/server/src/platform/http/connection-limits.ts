import type { Server as HttpsServer, ServerOptions as HttpsServerOptions } from "node:https";
import type { Socket } from "node:net";

/**
 * How long a client may take at each stage of a connection, and how many connections the server
 * holds at once. Without them a client that connects and says nothing (or one byte at a time)
 * holds a socket, its TLS state and its parser for as long as it likes: a few thousand such
 * clients exhaust the server's file descriptors and memory.
 */
export interface ConnectionLimits {
  /** From TCP accept to a finished TLS handshake (an absolute deadline, not an idle timer). */
  tlsHandshakeTimeoutMs: number;
  /** From a request's first byte to the end of its headers. */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body. */
  requestTimeoutMs: number;
  /** How long a connection may wait, idle, for its next request after a response. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (e.g. a client that never reads). */
  idleTimeoutMs: number;
  /** Connections beyond this many are closed as soon as they are accepted. */
  maxConnections: number;
}

/** Node checks headersTimeout and requestTimeout on a timer (30 s by default): check often enough to hold them. */
export function connectionsCheckingIntervalMs(limits: ConnectionLimits): number {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
}

/** The options node's https.createServer takes for these limits (Fastify passes `https` through). */
export function httpsServerOptions(limits: ConnectionLimits): HttpsServerOptions {
  return {
    // tls.Server's own timer restarts on every byte; enforceHandshakeDeadline adds the hard one.
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
    // Node answers a request without Host with a bare 400 of its own; the routes answer it instead.
    requireHostHeader: false,
  };
}

/**
 * Applies what cannot go through the constructor: the connection cap, and an absolute deadline on
 * the TLS handshake (node's handshakeTimeout is an idle timer, so a ClientHello sent one byte at a
 * time would never trip it).
 */
export function applyConnectionLimits(
  server: HttpsServer,
  limits: ConnectionLimits,
  /** Hears each connection refused for being over maxConnections (node closes it unanswered). */
  dropped: () => void = () => undefined,
): void {
  server.maxConnections = limits.maxConnections;
  server.on("drop", dropped);
  const pending = new Map<string, NodeJS.Timeout>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  server.on("connection", (socket: Socket) => {
    const key = keyOf(socket);
    const timer = setTimeout(() => socket.destroy(), limits.tlsHandshakeTimeoutMs);
    timer.unref();
    pending.set(key, timer);
    socket.once("close", () => {
      if (pending.get(key) === timer) pending.delete(key);
      clearTimeout(timer);
    });
  });
  server.on("secureConnection", (socket: Socket) => {
    const key = keyOf(socket);
    const timer = pending.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(key);
  });
}
