import type { FastifyRequest } from "fastify";

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * https://<the host the client used>. Links we hand back (nextLink, later the LRO status URL)
 * must use it, or a client that reached us as localhost would be sent to 127.0.0.1. A Host
 * header that is not a plain host name falls back to the server's own URL.
 */
export function publicBaseUrl(request: FastifyRequest): string {
  const host = request.headers.host;
  if (typeof host === "string" && HOST.test(host)) return `https://${host}`;
  return request.server.mhsmBaseUrl();
}
