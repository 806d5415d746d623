import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a scrape may read /metrics: always when no token is configured; otherwise only with
 * `Authorization: Bearer <token>`. Compared in constant time over SHA-256 digests, so neither
 * the token's characters nor its length leak through timing.
 */
export function metricsScrapeAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const given = match?.[1] ?? "";
  const equal = timingSafeEqual(digest(given), digest(token));
  return equal && match !== null;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
