import type { Store } from "../store/store.js";
import type { KeyRecord, SealedKeyVersion } from "./key-repository.js";

export type FoundKey = { key: KeyRecord; version: SealedKeyVersion } | undefined;

/**
 * Reads "this key, this version (or its current one)" for the hot paths — every crypto
 * operation and every get — and keeps the answer briefly. Every keys write on this node drops
 * the whole cache at once (`invalidate`, called by the services after they commit), so this
 * node never acts on a key state older than its own last write. `maxAgeMs` bounds how long an
 * answer can be reused at all, which is how long a change made elsewhere (another node, a full
 * restore) may take to be seen here.
 */
export class KeyLookup {
  #entries = new Map<string, { at: number; found: Promise<FoundKey> }>();

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = 1000,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(name: string, version: string | undefined): Promise<FoundKey> {
    const id = `${name}/${version ?? ""}`;
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

  invalidate(): void {
    this.#entries = new Map();
  }
}
