import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { Barrier } from "../../platform/barrier/barrier.js";
import { type ChangeFeed, type ChangeListener, LocalChangeFeed } from "../../platform/store/change-feed.js";
import { openSqliteDatabase } from "../../platform/store/sqlite-database.js";
import { TransactionRunner } from "../../platform/store/store.js";
import { KeyRepository, type KeyStore } from "./key-repository.js";
import { KeyLookup } from "./key-lookup.js";
import { KeyService } from "./key-service.js";

/**
 * When a cached key lookup may be used, against a real SQLite store whose reads are counted:
 * until that key (and only that key) is written, while the change feed proves delivery; at
 * most `maxAgeMs` once the feed falls silent; never an answer read before a write that landed
 * after it.
 */
describe("key lookup cache: per-key invalidation and the change feed's proof of delivery", () => {
  const MAX_AGE_MS = 1000;
  let dir: string;
  let store: KeyStore;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  /** Database reads of a key, by lower-case name. */
  let reads: Map<string, number>;
  /** While set, reads wait for it: a read "in flight" that the test can hold. */
  let hold: Promise<void> | undefined;
  let keys: KeyService;

  const readsOf = (name: string) => reads.get(name) ?? 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-lookup-"));
    const barrier = Barrier.fromDomainKey(randomBytes(32));
    store = await TransactionRunner.open(openSqliteDatabase(join(dir, "test.db")), "sqlite", (db) => ({
      keys: new KeyRepository(db, barrier),
    }));
    const repository = store.keys;
    const getWithVersion = repository.getWithVersion.bind(repository);
    repository.getWithVersion = async (name, version) => {
      reads.set(name.toLowerCase(), readsOf(name.toLowerCase()) + 1);
      const read = getWithVersion(name, version);
      if (hold) await hold;
      return read;
    };
    // Keys are made through a service with its own lookup: the lookups under test see only
    // what their own invalidations and feeds tell them.
    keys = new KeyService(store, new KeyLookup(store, 0), clock);
    for (const name of ["alpha", "beta"]) await keys.create(name, { kty: "EC-HSM", curve: "P-256" }, {});
  });
  beforeEach(() => {
    reads = new Map();
    hold = undefined;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("with a feed that always delivers (one node), keeps an answer past maxAgeMs until its key is written", async () => {
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    lookup.follow(new LocalChangeFeed());
    await lookup.get("alpha", undefined);
    await lookup.get("beta", undefined);
    now += 60 * MAX_AGE_MS;
    await lookup.get("ALPHA", undefined);
    await lookup.get("beta", undefined);
    assert.equal(readsOf("alpha"), 1, "alpha read once, whatever the spelling and the time");
    assert.equal(readsOf("beta"), 1);

    await keys.update("alpha", undefined, { enabled: false });
    lookup.invalidate("Alpha");
    const after = await lookup.get("alpha", undefined);
    await lookup.get("beta", undefined);
    assert.equal(after?.version.version.attributes.enabled, false, "the write is seen");
    assert.equal(readsOf("alpha"), 2, "alpha read again after its write");
    assert.equal(readsOf("beta"), 1, "a write to alpha leaves beta's answer cached");
    await keys.update("alpha", undefined, { enabled: true });
  });

  it("drops every version of a key on its announcement from another node, and all keys on one without a name", async () => {
    const feed = new ControlledFeed();
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    lookup.follow(feed);
    const current = await lookup.get("alpha", undefined);
    const version = current?.version.version.version as string;
    await lookup.get("alpha", version);
    await lookup.get("beta", undefined);
    feed.announce("keys", "alpha");
    await lookup.get("alpha", undefined);
    await lookup.get("alpha", version);
    await lookup.get("beta", undefined);
    assert.equal(readsOf("alpha"), 4, "both of alpha's answers read again");
    assert.equal(readsOf("beta"), 1, "beta's kept");
    feed.announce("keys", undefined);
    await lookup.get("beta", undefined);
    assert.equal(readsOf("beta"), 2, "an announcement without a name drops everything");
  });

  it("trusts answers only while the feed proves delivery: a silent feed bounds them by maxAgeMs", async () => {
    const feed = new ControlledFeed();
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    lookup.follow(feed);
    await lookup.get("alpha", undefined);
    // Heartbeats keep returning: the answer stays good long after maxAgeMs.
    for (let step = 0; step < 10; step++) {
      now += MAX_AGE_MS / 2;
      feed.delivered = now - 100;
      await lookup.get("alpha", undefined);
    }
    assert.equal(readsOf("alpha"), 1);
    // The feed falls silent: once its last proof is maxAgeMs old, the key is read again.
    const silentSince = now - 100;
    now = silentSince + MAX_AGE_MS - 1;
    await lookup.get("alpha", undefined);
    assert.equal(readsOf("alpha"), 1, "still within maxAgeMs of the last proof");
    now = silentSince + MAX_AGE_MS;
    await lookup.get("alpha", undefined);
    assert.equal(readsOf("alpha"), 2, "read again once the last proof is maxAgeMs old");
    // The answer just read is fresh for maxAgeMs on its own, feed or not.
    now += MAX_AGE_MS - 1;
    await lookup.get("alpha", undefined);
    assert.equal(readsOf("alpha"), 2);
    now += 1;
    await lookup.get("alpha", undefined);
    assert.equal(readsOf("alpha"), 3);
  });

  it("without a feed, reuses an answer for maxAgeMs only", async () => {
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    await lookup.get("alpha", undefined);
    now += MAX_AGE_MS - 1;
    await lookup.get("alpha", undefined);
    now += 1;
    await lookup.get("alpha", undefined);
    assert.equal(readsOf("alpha"), 2);
  });

  it("never keeps an answer whose read was in flight when its key was announced", async () => {
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    lookup.follow(new LocalChangeFeed());
    let release = () => undefined as void;
    hold = new Promise<void>((resolve) => (release = resolve));
    // The read starts (and sees the key enabled) before another request disables it.
    const inFlight = lookup.get("beta", undefined);
    await keys.update("beta", undefined, { enabled: false });
    lookup.invalidate("beta");
    release();
    assert.equal(
      (await inFlight)?.version.version.attributes.enabled,
      true,
      "the racing read saw the old state",
    );
    hold = undefined;
    const next = await lookup.get("beta", undefined);
    assert.equal(next?.version.version.attributes.enabled, false, "the next request reads the key again");
    await keys.update("beta", undefined, { enabled: true });
  });

  it("keeps answers to one spelling's many requests in flight to one read", async () => {
    const lookup = new KeyLookup(store, MAX_AGE_MS, 1024 * 1024, clock);
    lookup.follow(new LocalChangeFeed());
    const answers = await Promise.all([
      lookup.get("alpha", undefined),
      lookup.get("Alpha", undefined),
      lookup.get("ALPHA", undefined),
    ]);
    assert.equal(readsOf("alpha"), 1);
    assert.ok(answers.every((answer) => answer?.key.name === "alpha"));
  });
});

/** A change feed whose deliveries and proof of delivery the test decides. */
class ControlledFeed implements ChangeFeed {
  delivered = Number.NEGATIVE_INFINITY;
  readonly #listeners: Array<{ topic: string; listener: ChangeListener }> = [];

  announce(topic: string, subject: string | undefined): void {
    for (const entry of this.#listeners) if (entry.topic === topic) entry.listener(subject);
  }
  async publish(): Promise<void> {}
  subscribe(topic: string, listener: ChangeListener): void {
    this.#listeners.push({ topic, listener });
  }
  deliveredThrough(): number {
    return this.delivered;
  }
  async close(): Promise<void> {}
}
