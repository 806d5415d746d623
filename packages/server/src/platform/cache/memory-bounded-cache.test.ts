import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryBoundedCache } from "./memory-bounded-cache.js";

describe("MemoryBoundedCache", () => {
  it("keeps to its bytes, evicting the oldest entry not used since it was stored, and telling onEvict", () => {
    const evicted: string[] = [];
    const cache = new MemoryBoundedCache<string, number>(100, (key) => evicted.push(key));
    cache.set("a", 1, 40);
    cache.set("b", 2, 40);
    assert.equal(cache.get("a"), 1, "a is used: it gets a second chance");
    cache.set("c", 3, 40);
    assert.deepEqual(evicted, ["b"]);
    assert.equal(cache.get("b"), undefined);
    assert.deepEqual([...cache.keys()].sort(), ["a", "c"]);
    assert.equal(cache.bytes, 80);
  });

  it("counts a replaced entry once, and does not report it evicted", () => {
    const evicted: string[] = [];
    const cache = new MemoryBoundedCache<string, number>(100, (key) => evicted.push(key));
    cache.set("a", 1, 60);
    cache.set("a", 2, 70);
    assert.equal(cache.bytes, 70);
    assert.equal(cache.get("a"), 2);
    assert.deepEqual(evicted, []);
  });

  it("evicts a used entry once every entry has had its second chance", () => {
    const evicted: string[] = [];
    const cache = new MemoryBoundedCache<string, number>(100, (key) => evicted.push(key));
    cache.set("a", 1, 50);
    cache.set("b", 2, 50);
    cache.get("a");
    cache.get("b");
    cache.set("c", 3, 50);
    assert.deepEqual(evicted, ["a"], "both used: a, the oldest, goes once its chance is spent");
    assert.equal(cache.bytes, 100);
    cache.set("d", 4, 50);
    assert.deepEqual(evicted, ["a", "c"], "c was never used; b's mark was spent, but c is older");
  });

  it("keeps the newest entry even when it alone is over the bound", () => {
    const cache = new MemoryBoundedCache<string, number>(100);
    cache.set("small", 1, 10);
    cache.set("huge", 2, 500);
    assert.equal(cache.get("huge"), 2);
    assert.equal(cache.get("small"), undefined);
    assert.equal(cache.size, 1);
  });

  it("holds many small entries where a count-bounded cache would have held a fixed number", () => {
    const cache = new MemoryBoundedCache<number, number>(4096 * 50_000);
    for (let i = 0; i < 50_000; i++) cache.set(i, i, 4096);
    assert.equal(cache.size, 50_000);
    cache.set(50_000, 0, 4096);
    assert.equal(cache.size, 50_000);
    assert.equal(cache.get(0), undefined, "the oldest left");
  });

  it("remove and clear give the bytes back", () => {
    const cache = new MemoryBoundedCache<string, number>(100);
    cache.set("a", 1, 30);
    cache.set("b", 2, 30);
    assert.equal(cache.remove("a"), 1);
    assert.equal(cache.remove("a"), undefined);
    assert.equal(cache.bytes, 30);
    cache.clear();
    assert.equal(cache.bytes, 0);
    assert.equal(cache.size, 0);
  });
});
