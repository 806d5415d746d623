import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LocalChangeFeed } from "../../platform/store/change-feed.js";
import { LivePrincipals } from "./live-principals.js";

const A = "00000000-0000-0000-0000-00000000000a";
const B = "00000000-0000-0000-0000-00000000000b";

/** A principal table in memory, counting its reads, and a clock the test moves. */
function setup(maxAgeMs = 5000) {
  const table = new Set([A, B]);
  let reads = 0;
  let now = 1_000_000_000_000;
  const live = new LivePrincipals(
    async () => {
      reads++;
      return [...table];
    },
    maxAgeMs,
    () => now,
  );
  const issuedLongAgo = now / 1000 - 600;
  return {
    table,
    live,
    reads: () => reads,
    tick: (ms: number) => (now += ms),
    now: () => now,
    issuedLongAgo,
  };
}

describe("LivePrincipals", () => {
  it("reads the principals once and answers from memory until they change", async () => {
    const t = setup();
    assert.equal(await t.live.admits(A, t.issuedLongAgo), true);
    for (let i = 0; i < 100; i++) assert.equal(t.live.admits(A, t.issuedLongAgo), true, "synchronous hit");
    assert.equal(t.reads(), 1);
  });

  it("refuses a deleted principal at once after invalidate, and through the change feed", async () => {
    const t = setup(600_000);
    const feed = new LocalChangeFeed();
    t.live.follow(feed);
    assert.equal(await t.live.admits(A, t.issuedLongAgo), true);
    t.table.delete(A);
    await feed.publish("rbac");
    assert.equal(await t.live.admits(A, t.issuedLongAgo), false);
    assert.equal(await t.live.admits(B, t.issuedLongAgo), true);
    assert.equal(t.reads(), 2);
    // The refusal is answered from memory: no read per request.
    assert.equal(t.live.admits(A, t.issuedLongAgo), false);
    assert.equal(t.reads(), 2);
  });

  it("notices a deletion whose notification was lost once the set is maxAge old", async () => {
    const t = setup(5000);
    assert.equal(await t.live.admits(A, t.issuedLongAgo), true);
    t.table.delete(A);
    t.tick(4999);
    assert.equal(await t.live.admits(A, t.issuedLongAgo), true, "within maxAge the set is trusted");
    t.tick(2);
    assert.equal(await t.live.admits(A, t.issuedLongAgo), false);
  });

  it("reads again for a principal newer than the set (made on another node), not for old tokens", async () => {
    const t = setup(600_000);
    assert.equal(await t.live.admits(A, t.issuedLongAgo), true);
    const C = "00000000-0000-0000-0000-00000000000c";
    t.table.add(C);
    t.tick(100);
    assert.equal(await t.live.admits(C, t.now() / 1000), true, "a token issued after the read");
    assert.equal(t.reads(), 2);
    // An unknown principal with an old token is refused from memory.
    assert.equal(await t.live.admits("00000000-0000-0000-0000-0000000000ff", t.issuedLongAgo), false);
    assert.equal(t.reads(), 2);
  });

  it("shares one read among concurrent requests, and does not keep a read a deletion overtook", async () => {
    const t = setup(600_000);
    const answers = await Promise.all([
      t.live.admits(A, t.issuedLongAgo),
      t.live.admits(B, t.issuedLongAgo),
      t.live.admits(A, t.issuedLongAgo),
    ]);
    assert.deepEqual(answers, [true, true, true]);
    assert.equal(t.reads(), 1);

    t.live.invalidate();
    const during = t.live.admits(A, t.issuedLongAgo);
    t.table.delete(A);
    t.live.invalidate(); // A deleted while the read above ran: its result must not be kept.
    await during;
    assert.equal(await t.live.admits(A, t.issuedLongAgo), false);
  });
});
