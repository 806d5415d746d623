import type { ChangeFeed } from "../../platform/store/change-feed.js";
import type { KeyStore } from "./key-repository.js";
import type { KeyRecord, SealedKeyVersion } from "./key-repository.js";

export type FoundKey = { key: KeyRecord; version: SealedKeyVersion } | undefined;

/**
 * Reads "this key, this version (or its current one)" for the hot paths — every crypto
 * operation and every get — and keeps the answer briefly. Every keys write drops the whole
 * cache at once (`invalidate`, called by the services after they commit): on this node at once,
 * and on the other nodes through the change feed, so a disabled or deleted key stops working
 * everywhere, not just where it was changed. `maxAgeMs` bounds how long an answer can be reused
 * at all: how late a change is seen if its notification was lost.
 */
export class KeyLookup {
  #entries = new Map<string, { at: number; found: Promise<FoundKey> }>();
  #changes: ChangeFeed | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly maxAgeMs = 1000,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(name: string, version: string | undefined): Promise<FoundKey> {
    // Names are case-insensitive: every spelling of one key shares an entry.
    const id = `${name.toLowerCase()}/${version ?? ""}`;
    const now = this.clock();
    const hit = this.#entries.get(id);
    if (hit && now - hit.at < this.maxAgeMs) return hit.found;
    const found = this.store.keys.getWithVersion(name, version);
    // Stored in the map of this moment: if a write invalidates while the read is in flight,
    // the answer lands in a map nobody reads any more.
    const entries = this.#entries;
    if (entries.size >= this.maxEntries) entries.clear();
    entries.set(id, { at: now, found });
    found.catch(() => entries.delete(id));
    return found;
  }

  /** Hears key writes made on other nodes, and tells them about this node's. */
  follow(changes: ChangeFeed): void {
    this.#changes = changes;
    changes.subscribe("keys", () => this.dropCache());
  }

  /** After a keys write on this node: drop the cache here and announce it to the others. */
  invalidate(): void {
    this.dropCache();
    void this.#changes?.publish("keys").catch(() => undefined);
  }

  private dropCache(): void {
    this.#entries = new Map();
  }
}
