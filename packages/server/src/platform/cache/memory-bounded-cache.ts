/**
 * A map bounded by the memory its entries hold, not by their count: a key cache of a fixed
 * count is too small for a server with many small keys and too big for one with many RSA-4096
 * keys. Each entry is stored with an estimate of its bytes (the caller knows what it holds);
 * past `maxBytes` entries leave, and `onEvict` hears of each, so copies held elsewhere (signing
 * threads) can go too.
 *
 * Which entries leave is "second chance" (CLOCK), close to least-recently-used: a hit only marks
 * its entry used, and eviction, from the oldest, moves a used entry to the young end (unmarked)
 * instead of evicting it. Moving an entry on every hit, as a strict LRU map does, cost a Map
 * delete and insert on each of the three cache reads of every request (5% of a hot key's CPU).
 */
export class MemoryBoundedCache<K, V> {
  readonly #entries = new Map<K, { value: V; bytes: number; used: boolean }>();
  #bytes = 0;

  constructor(
    readonly maxBytes: number,
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The estimated bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.value;
  }

  /** Stores the entry (replacing any under the key, which is not evicted), then keeps to the bound. */
  set(key: K, value: V, bytes: number): void {
    this.remove(key);
    this.#entries.set(key, { value, bytes, used: false });
    this.#bytes += bytes;
    // A Map iterates in insertion order, oldest first, and visits entries moved to its end again:
    // each used entry is moved once (its mark cleared), so the loop ends.
    for (const [oldest, entry] of this.#entries) {
      // The newest entry stays even when it alone is over the bound: a cache that cannot hold
      // what it was just given would make every use a miss.
      if (this.#bytes <= this.maxBytes) break;
      if (oldest === key) continue;
      this.#entries.delete(oldest);
      if (entry.used) {
        entry.used = false;
        this.#entries.set(oldest, entry);
        continue;
      }
      this.#bytes -= entry.bytes;
      this.onEvict(oldest, entry.value);
    }
  }

  /** Removes the entry without telling onEvict; returns its value. */
  remove(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return entry.value;
  }

  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
