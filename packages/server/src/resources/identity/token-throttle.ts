import { isIPv4, isIPv6 } from "node:net";

export interface TokenThrottleLimits {
  /** Failed attempts one source address may make for one client id in `windowSeconds`. */
  failuresPerClientAndAddress: number;
  /** Failed attempts one source address may make, whatever the client ids, in `windowSeconds`. */
  failuresPerAddress: number;
  windowSeconds: number;
}

/** Buckets kept per table: an attacker cycling client ids or addresses cannot grow it further. */
const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms). */
  at: number;
}

/**
 * Limits failed client-credentials attempts at the token endpoint, before the secret's slow hash
 * is checked (so a throttled guess costs no scrypt either).
 *
 * What is counted, and why: failures per (client id, source address), and per source address
 * across all client ids. Not per client id alone: a client id is not a secret, so a limit on it
 * would let anyone, from anywhere, lock a real client out for as long as they keep failing. With
 * these keys an attacker's failures throttle only the attacker's own address: the real client,
 * from its own address, keeps getting tokens. The per-address cap (higher than the per-pair
 * limit, so one misconfigured client does not exhaust it) stops one address from cycling client
 * ids. What is left, an attacker with many addresses, gains nothing worth the trouble: client
 * secrets carry 256 bits, so the limits protect availability and CPU, not the secret. IPv6
 * addresses count per /64, the block one host usually has.
 *
 * Each key is a token bucket holding `limit` attempts that refills at `limit / windowSeconds`
 * per second: nobody is locked out forever, and a throttled address may try again as soon as one
 * attempt has refilled (what Retry-After says). An attempt takes its token when it starts (so
 * concurrent guesses cannot overshoot the limit) and gives it back when the secret was right.
 * Memory is bounded: a full bucket is dropped (it means what no bucket means), and past
 * MAX_TRACKED keys the least recently used one goes.
 */
export class TokenThrottle {
  readonly #pairs = new Map<string, Bucket>();
  readonly #addresses = new Map<string, Bucket>();

  constructor(
    private readonly limits: TokenThrottleLimits,
    private readonly clock: () => number = Date.now,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /**
   * Takes one attempt for this client id from this address: `{ retryAfterSeconds }` when either
   * limit is spent (nothing taken), otherwise `{ succeeded }` to call when the secret was right.
   */
  attempt(clientId: string, address: string): { retryAfterSeconds: number } | { succeeded: () => void } {
    const now = this.clock();
    const source = addressKey(address);
    const pairKey = `${clientId.toLowerCase()} ${source}`;
    const pair = this.current(this.#pairs, pairKey, this.limits.failuresPerClientAndAddress, now);
    const perAddress = this.current(this.#addresses, source, this.limits.failuresPerAddress, now);
    if (pair.tokens < 1 || perAddress.tokens < 1) {
      const wait = Math.max(
        this.waitMs(pair, this.limits.failuresPerClientAndAddress),
        this.waitMs(perAddress, this.limits.failuresPerAddress),
      );
      return { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    }
    pair.tokens -= 1;
    perAddress.tokens -= 1;
    this.store(this.#pairs, pairKey, pair);
    this.store(this.#addresses, source, perAddress);
    return {
      succeeded: () => {
        // A right secret is no failure: give the attempt back.
        const at = this.clock();
        this.giveBack(this.#pairs, pairKey, this.limits.failuresPerClientAndAddress, at);
        this.giveBack(this.#addresses, source, this.limits.failuresPerAddress, at);
      },
    };
  }

  /** How many keys are tracked (both tables): for tests of the memory bound. */
  get size(): number {
    return this.#pairs.size + this.#addresses.size;
  }

  private rate(limit: number): number {
    return limit / (this.limits.windowSeconds * 1000);
  }

  /** The bucket refilled up to now (a fresh full one if none is kept). */
  private current(table: Map<string, Bucket>, key: string, limit: number, now: number): Bucket {
    const kept = table.get(key);
    if (!kept) return { tokens: limit, at: now };
    const tokens = Math.min(limit, kept.tokens + Math.max(0, now - kept.at) * this.rate(limit));
    if (tokens >= limit) table.delete(key);
    return { tokens, at: now };
  }

  private waitMs(bucket: Bucket, limit: number): number {
    return bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / this.rate(limit);
  }

  private store(table: Map<string, Bucket>, key: string, bucket: Bucket): void {
    table.delete(key); // re-inserted last: the Map's order is least recently used first
    if (table.size >= this.maxTracked) {
      const oldest = table.keys().next().value;
      if (oldest !== undefined) table.delete(oldest);
    }
    table.set(key, bucket);
  }

  private giveBack(table: Map<string, Bucket>, key: string, limit: number, now: number): void {
    if (!table.has(key)) return;
    const bucket = this.current(table, key, limit, now);
    bucket.tokens = Math.min(limit, bucket.tokens + 1);
    if (bucket.tokens >= limit) table.delete(key);
    else this.store(table, key, bucket);
  }
}

/** The source a limit applies to: an IPv4 address, or an IPv6 address's /64. */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, "");
  if (bare.toLowerCase().startsWith("::ffff:") && isIPv4(bare.slice(7))) return bare.slice(7);
  if (!isIPv6(bare)) return bare;
  const [head = "", tail] = bare.split("::");
  const front = head ? head.split(":") : [];
  let groups = front;
  if (tail !== undefined) {
    const back = tail ? tail.split(":") : [];
    groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill("0"), ...back];
  }
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}
