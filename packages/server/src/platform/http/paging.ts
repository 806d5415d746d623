import type { FastifyRequest } from "fastify";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import { publicBaseUrl } from "./request-url.js";

export interface Page<T> {
  value: T[];
  nextLink: string | null;
}

/**
 * Keyset paging, read in the database: the $skiptoken is the ordering key of the last item of
 * the previous page, and the next page is the `size` items after it (`WHERE key > :after ORDER
 * BY key LIMIT :size + 1`). Items inserted or deleted between pages neither repeat nor skip the
 * items that stayed, and no page costs more than its own rows.
 */
export interface PageQuery {
  /** The ordering key the page starts after; undefined for the first page. */
  after: string | undefined;
  /** Items on the page; the repository reads one more, to know whether a next page exists. */
  size: number;
}

/** The request's $skiptoken, decoded, and the page size. */
export function pageQueryOf(request: FastifyRequest, size: number): PageQuery {
  const token = (request.query as Record<string, unknown>).$skiptoken;
  if (token === undefined) return { after: undefined, size };
  const after = typeof token === "string" ? decodeToken(token) : undefined;
  if (after === undefined) throw KeyVaultErrors.badParameter("The $skiptoken query parameter is not valid.");
  return { after, size };
}

/**
 * The page of `rows` (read with LIMIT size + 1, in key order): the first `size` of them, and a
 * nextLink when there was one more. The nextLink is absolute, on the host the client used, and
 * keeps the request's api-version and $filter.
 */
export function pageFromRows<T>(
  request: FastifyRequest,
  rows: T[],
  keyOf: (item: T) => string,
  size: number,
): Page<T> {
  const value = rows.slice(0, size);
  if (rows.length <= size || value.length === 0) return { value, nextLink: null };
  return { value, nextLink: nextLinkAfter(request, keyOf(value[value.length - 1] as T)) };
}

function nextLinkAfter(request: FastifyRequest, lastKey: string): string {
  const query = request.query as Record<string, unknown>;
  const url = new URL(request.url, publicBaseUrl(request));
  url.search = "";
  for (const name of ["api-version", "$filter"]) {
    const given = query[name];
    const first = Array.isArray(given) ? given[0] : given;
    if (typeof first === "string") url.searchParams.set(name, first);
  }
  url.searchParams.set("$skiptoken", Buffer.from(lastKey, "utf8").toString("base64url"));
  return url.toString();
}

function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) return undefined;
  return Buffer.from(token, "base64url").toString("utf8");
}
