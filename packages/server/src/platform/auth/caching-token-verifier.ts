import { decodeJwt } from "jose";
import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";
import { type CallerPrincipal, TokenVerifier, type TrustedIssuer } from "./token-verifier.js";

/**
 * A TokenVerifier that remembers tokens it has verified. An SDK client sends the same bearer
 * token with every request for as long as it is valid, and checking its signature again each
 * time costs more than many of the operations it guards. What is cached is exactly "this token
 * string verified, for this caller": an entry lives until the token's own expiry and never more
 * than `maxAgeMs` (which bounds how long a token signed by a key its issuer has since withdrawn
 * stays accepted). Refusals are never cached. Trusting another issuer empties the cache. The
 * issuer's `admits` check is not cached here: a deleted principal's token is refused at its
 * next use, however long its entry would have lived.
 */
export class CachingTokenVerifier extends TokenVerifier {
  // Not a #private field: the base constructor calls trust() before subclass fields exist.
  private cache: Map<string, { principal: CallerPrincipal; until: number }> | undefined;

  constructor(
    issuers: TrustedIssuer[],
    private readonly maxAgeMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
    /** Counts hits and misses, for the cache's hit rate on /metrics. */
    private readonly metrics: MetricsRecorder = NO_METRICS,
  ) {
    super(issuers);
  }

  override trust(issuer: TrustedIssuer): void {
    super.trust(issuer);
    this.cache?.clear();
  }

  override async verify(token: string): Promise<CallerPrincipal> {
    const cache = (this.cache ??= new Map());
    const now = this.clock();
    const hit = cache.get(token);
    // A cached entry saves the signature check only: the issuer's admits check (a deleted
    // principal of the embedded identity provider) runs on every use.
    if (hit && now < hit.until) {
      this.metrics.tokenCheck(true);
      return this.admit(hit.principal);
    }
    if (hit) cache.delete(token);
    this.metrics.tokenCheck(false);

    const principal = await super.verify(token);
    const expiresAt = (decodeJwt(token).exp ?? 0) * 1000;
    const until = Math.min(expiresAt, now + this.maxAgeMs);
    if (until > now) {
      if (cache.size >= this.maxEntries) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(token, { principal, until });
    }
    return principal;
  }
}
