import assert from "node:assert/strict";
import { createHash, sign, verify } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "../../../../../../test/harness/fuzz.js";
import {
  CURVES,
  type Curve,
  HASH,
  coordinateBytes,
  ecJwkFromScalar,
  nodeEcPrivateKey,
  nodeEcPublicKey,
  order,
  scalarArbitrary,
  toBigInt,
  toBytes,
} from "../../../../../../test/keys/support/key-oracles.js";
import { EcdsaKey } from "./ec-signature.js";

/**
 * Prehashed ECDSA against OpenSSL (node:crypto's sign and verify, which hash the message
 * themselves): what OpenSSL signs, the HSM verifies; what the HSM signs, OpenSSL verifies; and
 * on any altered signature the HSM's verdict is OpenSSL's verdict against the published key.
 */

interface KeyCase {
  curve: Curve;
  d: bigint;
}

const keyCase: fc.Arbitrary<KeyCase> = fc
  .constantFrom(...CURVES)
  .chain((curve) => fc.record({ curve: fc.constant(curve), d: scalarArbitrary(curve) }));

function keysOf({ curve, d }: KeyCase) {
  const jwk = ecJwkFromScalar(curve, d);
  return {
    privateKey: nodeEcPrivateKey(curve, jwk.x, jwk.y, jwk.d),
    publicKey: nodeEcPublicKey(curve, jwk.x, jwk.y),
  };
}

const opensslVerify = (
  curve: Curve,
  publicKey: ReturnType<typeof nodeEcPublicKey>,
  message: Buffer,
  sig: Buffer,
) => verify(HASH[curve], message, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig);

type SignatureChange =
  | { kind: "flip"; bit: number }
  | { kind: "swap-r-s" }
  | { kind: "negate-s" }
  | { kind: "r-plus-n" }
  | { kind: "s-plus-n" }
  | { kind: "zero-r" }
  | { kind: "zero-s" }
  | { kind: "all-ones" }
  | { kind: "random"; bytes: Uint8Array }
  | { kind: "other-message" }
  | { kind: "other-key"; d: bigint };

function signatureChange(curve: Curve): fc.Arbitrary<SignatureChange> {
  return fc.oneof(
    fc.record({
      kind: fc.constant("flip" as const),
      bit: fc.nat({ max: 8 * 2 * coordinateBytes(curve) - 1 }),
    }),
    fc.constant({ kind: "swap-r-s" as const }),
    fc.constant({ kind: "negate-s" as const }),
    fc.constant({ kind: "r-plus-n" as const }),
    fc.constant({ kind: "s-plus-n" as const }),
    fc.constant({ kind: "zero-r" as const }),
    fc.constant({ kind: "zero-s" as const }),
    fc.constant({ kind: "all-ones" as const }),
    fc.record({
      kind: fc.constant("random" as const),
      bytes: fc.uint8Array({ minLength: 2 * coordinateBytes(curve), maxLength: 2 * coordinateBytes(curve) }),
    }),
    fc.constant({ kind: "other-message" as const }),
    fc.record({ kind: fc.constant("other-key" as const), d: scalarArbitrary(curve) }),
  );
}

describe("ECDSA over a digest (property, against OpenSSL)", () => {
  it("OpenSSL's signatures verify on the HSM, and the HSM's signatures verify in OpenSSL", () => {
    fc.assert(
      fc.property(keyCase, fc.uint8Array({ maxLength: 200 }), (testCase, bytes) => {
        const { curve } = testCase;
        const { privateKey, publicKey } = keysOf(testCase);
        const message = Buffer.from(bytes);
        const digest = createHash(HASH[curve]).update(message).digest();
        const key = new EcdsaKey(privateKey, curve);
        const byOpenssl = sign(HASH[curve], message, { key: privateKey, dsaEncoding: "ieee-p1363" });
        assert.equal(key.verify(digest, byOpenssl), true);
        const byHsm = key.sign(digest);
        assert.equal(byHsm.length, 2 * coordinateBytes(curve));
        assert.equal(opensslVerify(curve, publicKey, message, byHsm), true);
      }),
      fuzzParameters(150),
    );
  });

  it("on an altered signature the HSM answers what OpenSSL answers against the published key", () => {
    fc.assert(
      fc.property(
        keyCase.chain((testCase) =>
          fc.tuple(fc.constant(testCase), signatureChange(testCase.curve), fc.uint8Array({ maxLength: 64 })),
        ),
        ([testCase, change, bytes]) => {
          const { curve } = testCase;
          const { privateKey, publicKey } = keysOf(testCase);
          const bytesPerScalar = coordinateBytes(curve);
          const n = order(curve);
          const message = Buffer.from(bytes);
          const digest = createHash(HASH[curve]).update(message).digest();
          const key = new EcdsaKey(privateKey, curve);
          const good = sign(HASH[curve], message, { key: privateKey, dsaEncoding: "ieee-p1363" });
          const r = toBigInt(good.subarray(0, bytesPerScalar));
          const s = toBigInt(good.subarray(bytesPerScalar));
          const rs = (a: bigint, b: bigint) =>
            Buffer.concat([toBytes(a, bytesPerScalar), toBytes(b, bytesPerScalar)]);
          let altered: Buffer;
          switch (change.kind) {
            case "flip":
              altered = Buffer.from(good);
              altered[change.bit >> 3] = (altered[change.bit >> 3] as number) ^ (1 << (change.bit & 7));
              break;
            case "swap-r-s":
              altered = rs(s, r);
              break;
            case "negate-s": // still valid: ECDSA signatures are malleable, and OpenSSL takes a high s
              altered = rs(r, n - s);
              break;
            case "r-plus-n":
              altered = rs(r + n, s);
              break;
            case "s-plus-n":
              altered = rs(r, s + n);
              break;
            case "zero-r":
              altered = rs(0n, s);
              break;
            case "zero-s":
              altered = rs(r, 0n);
              break;
            case "all-ones":
              altered = Buffer.alloc(2 * bytesPerScalar, 0xff);
              break;
            case "random":
              altered = Buffer.from(change.bytes);
              break;
            case "other-message":
              altered = sign(HASH[curve], Buffer.concat([message, Buffer.of(0)]), {
                key: privateKey,
                dsaEncoding: "ieee-p1363",
              });
              break;
            case "other-key":
              altered = sign(HASH[curve], message, {
                key: keysOf({ curve, d: change.d }).privateKey,
                dsaEncoding: "ieee-p1363",
              });
              break;
          }
          // r + n or s + n may not fit the fixed width: both sides must then refuse.
          const expected =
            altered.length === 2 * bytesPerScalar && opensslVerify(curve, publicKey, message, altered);
          assert.equal(key.verify(digest, altered), expected, change.kind);
        },
      ),
      fuzzParameters(300),
    );
  });

  it("a key whose scalar is not its published point's verifies against the published point only", () => {
    // What an import without the d·G = (x, y) check stored: d = 1 (or another key's d) beside a
    // victim's x and y. Verify used to compute (u1 + u2·d)·G, so the attacker's signatures passed.
    fc.assert(
      fc.property(
        keyCase.chain(({ curve, d }) =>
          fc.record({
            curve: fc.constant(curve),
            victim: fc.constant(d),
            attacker: fc.oneof(fc.constant(1n), scalarArbitrary(curve)),
            message: fc.uint8Array({ maxLength: 64 }),
          }),
        ),
        ({ curve, victim, attacker, message }) => {
          fc.pre(victim !== attacker);
          const victimJwk = ecJwkFromScalar(curve, victim);
          const attackerJwk = ecJwkFromScalar(curve, attacker);
          const poisoned = nodeEcPrivateKey(curve, victimJwk.x, victimJwk.y, attackerJwk.d);
          const victimKeys = keysOf({ curve, d: victim });
          const attackerKeys = keysOf({ curve, d: attacker });
          const data = Buffer.from(message);
          const digest = createHash(HASH[curve]).update(data).digest();
          const key = new EcdsaKey(poisoned, curve);
          const forged = sign(HASH[curve], data, { key: attackerKeys.privateKey, dsaEncoding: "ieee-p1363" });
          assert.equal(opensslVerify(curve, victimKeys.publicKey, data, forged), false);
          assert.equal(key.verify(digest, forged), false);
          const genuine = sign(HASH[curve], data, { key: victimKeys.privateKey, dsaEncoding: "ieee-p1363" });
          assert.equal(key.verify(digest, genuine), true);
        },
      ),
      fuzzParameters(100),
    );
  });
});
