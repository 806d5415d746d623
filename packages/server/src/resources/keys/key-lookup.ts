import { MemoryBoundedCache } from "../../platform/cache/memory-bounded-cache.js";
import type { ChangeFeed } from "../../platform/store/change-feed.js";
import type { KeyStore } from "./key-repository.js";
import type { KeyRecord, SealedKeyVersion } from "./key-repository.js";

export type FoundKey = { key: KeyRecord; version: SealedKeyVersion } | undefined;

/**
 * Reads "this key, this version (or its current one)" for the hot paths — every crypto
 * operation and every get — and keeps the answer. A keys write drops that key's answers (all
 * its versions): on this node at once (`invalidate`, called by the services after they
 * commit), and on the other nodes through the change feed, so a disabled or deleted key stops
 * working everywhere, not just where it was changed.
 *
 * How long an answer may be used: while it, or the change feed's proof of delivery
 * (`deliveredThrough`), is younger than `maxAgeMs`. With a live feed, that is until the key
 * changes, so a working set far larger than what is read each second stays cached; when the
 * feed falls silent, answers older than `maxAgeMs` are read again, which bounds how late a
 * change is seen if its notification is lost. The cache is bounded by memory (`maxBytes`),
 * least recently used out first.
 */
export class KeyLookup {
  /** Per key (its name in lower case), the answers by version ("" for the current one). */
  #entries: MemoryBoundedCache<string, Bucket>;
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
    const folded = name.toLowerCase();
    const versionId = version ?? "";
    const now = this.clock();
    const bucket = this.#entries.get(folded);
    const hit = bucket?.answers.get(versionId);
    if (hit && now - Math.max(hit.at, this.deliveredThrough()) < this.maxAgeMs) return hit.found;

    const found = this.store.keys.getWithVersion(name, version);
    // An invalidation while the read is in flight removes the bucket (or the whole map): the
    // answer then lands where nobody reads any more.
    const entries = this.#entries;
    const target = bucket ?? { answers: new Map<string, Entry>(), bytes: 0 };
    const entry: Entry = { at: now, found, bytes: PENDING_ENTRY_BYTES };
    this.place(entries, folded, target, versionId, entry);
    found.then(
      // Once the answer is known, so is its size.
      (answer) => {
        if (entries.get(folded) !== target || target.answers.get(versionId) !== entry) return;
        this.place(entries, folded, target, versionId, { ...entry, bytes: entryBytes(folded, answer) });
      },
      () => {
        if (entries.get(folded) !== target || target.answers.get(versionId) !== entry) return;
        target.answers.delete(versionId);
        target.bytes -= entry.bytes;
      },
    );
    return found;
  }

  /** Hears key writes made on other nodes, and tells them about this node's. */
  follow(changes: ChangeFeed): void {
    this.#changes = changes;
    changes.subscribe("keys", (name) => this.drop(name));
  }

  /**
   * After a keys write on this node: drop that key's answers (every key's, without a name) here
   * and announce it to the others.
   */
  invalidate(name?: string): void {
    const folded = name?.toLowerCase();
    this.drop(folded);
    void this.#changes?.publish("keys", folded).catch(() => undefined);
  }

  private drop(folded: string | undefined): void {
    if (folded === undefined) this.#entries = new MemoryBoundedCache(this.maxBytes);
    else this.#entries.remove(folded);
  }

  private deliveredThrough(): number {
    return this.#changes?.deliveredThrough() ?? Number.NEGATIVE_INFINITY;
  }

  /** Puts `entry` in the bucket and the bucket, with its new size, back in the map. */
  private place(
    entries: MemoryBoundedCache<string, Bucket>,
    folded: string,
    bucket: Bucket,
    versionId: string,
    entry: Entry,
  ): void {
    const previous = bucket.answers.get(versionId);
    bucket.bytes += entry.bytes - (previous?.bytes ?? 0);
    bucket.answers.set(versionId, entry);
    entries.set(folded, bucket, bucket.bytes);
  }
}

interface Bucket {
  answers: Map<string, Entry>;
  bytes: number;
}

interface Entry {
  at: number;
  found: Promise<FoundKey>;
  bytes: number;
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
