import { MemoryBoundedCache } from "../../platform/cache/memory-bounded-cache.js";
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
 * at all: how late a change is seen if its notification was lost. The cache is bounded by
 * memory (`maxBytes`), least recently used out first.
 */
export class KeyLookup {
  #entries: MemoryBoundedCache<string, Entry>;
  #changes: ChangeFeed | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly maxAgeMs = 1000,
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly clock: () => number = Date.now,
  ) {
    this.#entries = new MemoryBoundedCache(maxBytes);
  }

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
    const entry = { at: now, found };
    entries.set(id, entry, PENDING_ENTRY_BYTES);
    found.then(
      // Once the answer is known, so is its size.
      (answer) => {
        if (entries.get(id) === entry) entries.set(id, entry, entryBytes(id, answer));
      },
      () => {
        if (entries.get(id) === entry) entries.remove(id);
      },
    );
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
    this.#entries = new MemoryBoundedCache(this.maxBytes);
  }
}

interface Entry {
  at: number;
  found: Promise<FoundKey>;
}

/** An entry before its answer arrives: about what an EC or AES key's answer takes. */
const PENDING_ENTRY_BYTES = 2048;

/**
 * An answer's memory, estimated: the sealed material (a one-byte-per-character string), the
 * version's parsed JSON (public key, tags, operations: about twice their text) and the objects.
 */
function entryBytes(id: string, found: FoundKey): number {
  if (!found) return 256 + id.length;
  const { version } = found.version;
  const publicKey = Object.values(version.publicKey).reduce((sum, part) => sum + String(part).length, 0);
  const tags = Object.entries(version.tags).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  return 1024 + id.length + found.version.materialSealed.length + 2 * (publicKey + tags);
}
