import type { FastifyRequest } from "fastify";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import { publicBaseUrl } from "./request-url.js";

export interface Page<T> {
  value: T[];
  nextLink: string | null;
}

/**
 * Keyset paging over items already sorted by `keyOf`: the $skiptoken is the last key of the
 * previous page, so deletions between pages neither repeat nor skip items. The nextLink is
 * absolute, on the host the client used, and keeps the request's api-version and $filter.
 */
export function paginate<T>(
  request: FastifyRequest,
  items: T[],
  keyOf: (item: T) => string,
  pageSize: number,
): Page<T> {
  const query = request.query as Record<string, unknown>;
  const token = query.$skiptoken;
  let start = 0;
  if (token !== undefined) {
    const after = typeof token === "string" ? decodeToken(token) : undefined;
    if (after === undefined)
      throw KeyVaultErrors.badParameter("The $skiptoken query parameter is not valid.");
    start = items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const value = items.slice(start, start + pageSize);
  if (start + pageSize >= items.length || value.length === 0) return { value, nextLink: null };

  const url = new URL(request.url, publicBaseUrl(request));
  url.search = "";
  for (const name of ["api-version", "$filter"]) {
    const given = query[name];
    const first = Array.isArray(given) ? given[0] : given;
    if (typeof first === "string") url.searchParams.set(name, first);
  }
  url.searchParams.set(
    "$skiptoken",
    Buffer.from(keyOf(value[value.length - 1] as T), "utf8").toString("base64url"),
  );
  return { value, nextLink: url.toString() };
}

function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) return undefined;
  return Buffer.from(token, "base64url").toString("utf8");
}
