import type { ChangeFeed } from "../../platform/store/change-feed.js";

/**
 * How far apart two nodes' clocks may be, and the `iat` claim's rounding down to the second: a
 * snapshot of the principal table read at least this long after a token's `iat` was read after
 * the token was issued, so it holds the token's principal unless that principal was deleted.
 */
const ISSUE_MARGIN_MS = 1000 + 5000;

interface Snapshot {
  ids: Set<string>;
  /** This node's clock when the read started. */
  startedAt: number;
}

/**
 * Which principals of the embedded identity provider exist: what lets a deleted principal's
 * still-unexpired token be refused without a database query per request.
 *
 * The set of object ids is read at once (one small query) and kept. A deletion drops it: on
 * the node that made it directly (`invalidate`), on every other node through the change feed
 * (the deletion removes the principal's role assignments, so it announces an "rbac" change,
 * which is what drops this set). A set older than `maxAgeMs` is read again, which bounds how
 * long a node whose notification was lost keeps accepting a deleted principal.
 *
 * A token whose principal is not in the set is refused only when the set was read after the
 * token was issued (then the principal existed when the token was minted and is gone now);
 * otherwise the principal may be newer than the set (made on another node a moment ago), and
 * the set is read again first.
 */
export class LivePrincipals {
  #snapshot: Snapshot | undefined;
  #loading: { startedAt: number; generation: number; ids: Promise<Set<string>> } | undefined;
  #generation = 0;

  constructor(
    private readonly load: () => Promise<string[]>,
    private readonly maxAgeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Drops the set on every change the feed announces for role assignments (and principals). */
  follow(changes: ChangeFeed): void {
    changes.subscribe("rbac", () => this.invalidate());
  }

  invalidate(): void {
    this.#generation++;
    this.#snapshot = undefined;
    this.#loading = undefined;
  }

  /** Whether a token issued at `issuedAtSeconds` (its `iat`) to `objectId` may still be used. */
  admits(objectId: string, issuedAtSeconds: number): boolean | Promise<boolean> {
    const now = this.clock();
    const readAfterIssue = issuedAtSeconds * 1000 + ISSUE_MARGIN_MS;
    const snapshot = this.#snapshot;
    if (snapshot && now - snapshot.startedAt < this.maxAgeMs) {
      if (snapshot.ids.has(objectId)) return true;
      if (snapshot.startedAt >= readAfterIssue) return false;
    }
    // A read that starts now sees every principal that could have been issued this token.
    return this.read(Math.min(now, readAfterIssue)).then((ids) => ids.has(objectId));
  }

  /** A read of the set started at or after `notBefore` (this one's or one already running). */
  private read(notBefore: number): Promise<Set<string>> {
    const running = this.#loading;
    if (running && running.generation === this.#generation && running.startedAt >= notBefore) {
      return running.ids;
    }
    const startedAt = this.clock();
    const generation = this.#generation;
    const ids = this.load().then((list) => new Set(list.map((id) => id.toLowerCase())));
    const loading = { startedAt, generation, ids };
    this.#loading = loading;
    ids.then(
      (set) => {
        if (this.#loading === loading) this.#loading = undefined;
        // Kept only if nothing was deleted while it was read, and if it is the newest read.
        if (generation !== this.#generation) return;
        if (this.#snapshot && this.#snapshot.startedAt > startedAt) return;
        this.#snapshot = { ids: set, startedAt };
      },
      () => {
        if (this.#loading === loading) this.#loading = undefined;
      },
    );
    return ids;
  }
}
