import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Barrier, BarrierError, deriveKey } from "./barrier.js";

describe("Barrier", () => {
  const barrier = Barrier.fromDomainKey(randomBytes(32));

  it("opens what it sealed, for the same record", () => {
    const sealed = barrier.seal("top secret", "principals/a/secret");
    assert.equal(barrier.openString(sealed, "principals/a/secret"), "top secret");
    assert.ok(!Buffer.from(sealed, "base64url").includes(Buffer.from("top secret")));
  });

  it("uses a fresh nonce each time", () => {
    assert.notEqual(barrier.seal("x", "r"), barrier.seal("x", "r"));
  });

  it("refuses a sealed value moved onto another record", () => {
    const sealed = barrier.seal("top secret", "principals/a/secret");
    assert.throws(() => barrier.open(sealed, "principals/b/secret"), BarrierError);
  });

  it("refuses a tampered value and another domain's value", () => {
    const sealed = Buffer.from(barrier.seal("top secret", "r"), "base64url");
    sealed[20] = (sealed[20] as number) ^ 1;
    assert.throws(() => barrier.open(sealed.toString("base64url"), "r"), /failed authentication/);
    const other = Barrier.fromDomainKey(randomBytes(32));
    assert.throws(() => other.open(barrier.seal("top secret", "r"), "r"), /failed authentication/);
  });

  it("refuses an unknown format version or a truncated value", () => {
    const sealed = Buffer.from(barrier.seal("x", "r"), "base64url");
    sealed[0] = 9;
    assert.throws(() => barrier.open(sealed.toString("base64url"), "r"), /unknown format/);
    assert.throws(() => barrier.open("AQ", "r"), /unknown format/);
  });

  it("derives distinct keys per purpose (HKDF)", () => {
    const domainKey = randomBytes(32);
    assert.notDeepEqual(deriveKey(domainKey, "a"), deriveKey(domainKey, "b"));
    assert.deepEqual(deriveKey(domainKey, "a"), deriveKey(domainKey, "a"));
    assert.equal(deriveKey(domainKey, "a").length, 32);
  });
});

describe("Barrier awaiting its domain key", () => {
  it("answers HsmNotActivated until it has its key, then seals like a domain barrier", () => {
    const domainKey = randomBytes(32);
    const awaiting = Barrier.awaitingDomainKey();
    assert.equal(awaiting.ready, false);
    assert.throws(() => awaiting.seal("x", "r"), { name: "DomainError", code: "HsmNotActivated" });
    assert.throws(() => awaiting.open("AQ", "r"), { code: "HsmNotActivated" });
    awaiting.provideKey(domainKey);
    assert.equal(awaiting.ready, true);
    assert.equal(Barrier.fromDomainKey(domainKey).openString(awaiting.seal("x", "r"), "r"), "x");
    assert.throws(() => awaiting.provideKey(randomBytes(32)), BarrierError);
  });

  it("keeps the node barrier's key apart from the domain barrier's, even from the same bytes", () => {
    const bytes = randomBytes(32);
    const sealed = Barrier.fromNodeKey(bytes).seal("x", "r");
    assert.throws(() => Barrier.fromDomainKey(bytes).open(sealed, "r"), BarrierError);
  });
});
