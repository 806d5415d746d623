import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "../../../../../test/harness/fuzz.js";
import {
  CURVES,
  type Curve,
  RSA_MEMBERS,
  type RsaMember,
  type RsaParts,
  b64,
  carmichael,
  coordinateBytes,
  ecJwkFromScalar,
  ecKeyIsConsistent,
  fieldPrime,
  inverseMod,
  opensslAcceptsRsa,
  order,
  rsaJwk,
  rsaParts,
  scalarArbitrary,
  toBigInt,
  toBytes,
  unb64,
} from "../../../../../test/keys/support/key-oracles.js";
import { DomainError } from "../../platform/errors/domain-error.js";
import { type ImportedJwk, materialFromJwk } from "./jwk-import.js";

/**
 * Key import against independent references: an EC JWK is accepted exactly when noble says d·G
 * is its (x, y) with 1 ≤ d < n; an RSA JWK exactly when `openssl pkey -check` accepts its
 * members, the modulus has an HSM size and d < n. Every refusal is a 400 BadParameter whose message
 * carries no private member.
 */

type Outcome = { accepted: true; jwk: Record<string, string> } | { accepted: false; error: DomainError };

async function importOutcome(jwk: ImportedJwk): Promise<Outcome> {
  try {
    const material = await materialFromJwk(jwk);
    if (material.kty === "oct-HSM") return { accepted: true, jwk: { k: b64(material.secret.export()) } };
    return { accepted: true, jwk: material.privateKey.export({ format: "jwk" }) as Record<string, string> };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { accepted: false, error };
  }
}

/**
 * A refusal is a 400 BadParameter and names no secret value (in base64url, hex or decimal);
 * values below 2^64 (d = 0, 1, 2, the swapped-in exponents) are not secrets worth the name and
 * would match any digit in a message.
 */
function assertSafeRefusal(outcome: Outcome, secrets: Buffer[]): void {
  assert.equal(outcome.accepted, false);
  if (outcome.accepted) return;
  assert.equal(outcome.error.code, "BadParameter");
  const message = outcome.error.message;
  for (const secret of secrets) {
    if (toBigInt(secret) < 1n << 64n) continue;
    for (const form of [b64(secret), secret.toString("hex"), toBigInt(secret).toString(10)]) {
      assert.ok(!message.includes(form), `the message names a secret value: ${message}`);
    }
  }
}

const flipBit = (bytes: Buffer, bit: number): Buffer => {
  const copy = Buffer.from(bytes);
  if (copy.length === 0) return Buffer.of(1);
  const index = Math.floor(bit / 8) % copy.length;
  copy[index] = (copy[index] as number) ^ (1 << (bit % 8));
  return copy;
};

// ---------------------------------------------------------------------------------------------
// EC

type EcMutation =
  | { kind: "none" }
  | { kind: "flip"; member: "x" | "y" | "d"; bit: number }
  | { kind: "d-value"; which: "0" | "1" | "2" | "n-1" | "n" | "n+1" | "n+d" | "max" }
  | { kind: "other-d" }
  | { kind: "other-point" }
  | { kind: "swap-xy" }
  | { kind: "negate-y" }
  | { kind: "y-plus-1" }
  | { kind: "drop-leading-byte"; member: "x" | "y" | "d" }
  | { kind: "add-leading-zero"; member: "x" | "y" | "d" }
  | { kind: "other-curve"; curve: Curve };

const ecMember = fc.constantFrom("x" as const, "y" as const, "d" as const);
const ecMutation: fc.Arbitrary<EcMutation> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("flip" as const), member: ecMember, bit: fc.nat({ max: 527 }) }),
  fc.record({
    kind: fc.constant("d-value" as const),
    which: fc.constantFrom("0", "1", "2", "n-1", "n", "n+1", "n+d", "max") as fc.Arbitrary<
      "0" | "1" | "2" | "n-1" | "n" | "n+1" | "n+d" | "max"
    >,
  }),
  fc.constant({ kind: "other-d" as const }),
  fc.constant({ kind: "other-point" as const }),
  fc.constant({ kind: "swap-xy" as const }),
  fc.constant({ kind: "negate-y" as const }),
  fc.constant({ kind: "y-plus-1" as const }),
  fc.record({ kind: fc.constant("drop-leading-byte" as const), member: ecMember }),
  fc.record({ kind: fc.constant("add-leading-zero" as const), member: ecMember }),
  fc.record({ kind: fc.constant("other-curve" as const), curve: fc.constantFrom(...CURVES) }),
);

interface EcCase {
  curve: Curve;
  d: bigint;
  otherD: bigint;
  mutation: EcMutation;
}

const ecCase: fc.Arbitrary<EcCase> = fc.constantFrom(...CURVES).chain((curve) =>
  fc.record({
    curve: fc.constant(curve),
    d: scalarArbitrary(curve),
    otherD: scalarArbitrary(curve),
    mutation: ecMutation,
  }),
);

/** The mutated JWK: crv as stated, and x, y, d as bytes. */
function mutateEc({ curve, d, otherD, mutation }: EcCase): { crv: Curve; x: Buffer; y: Buffer; d: Buffer } {
  const base = ecJwkFromScalar(curve, d);
  const other = ecJwkFromScalar(curve, otherD);
  const bytes = coordinateBytes(curve);
  const n = order(curve);
  let key = { crv: curve, x: unb64(base.x), y: unb64(base.y), d: unb64(base.d) };
  switch (mutation.kind) {
    case "none":
      break;
    case "flip":
      key = { ...key, [mutation.member]: flipBit(key[mutation.member], mutation.bit) };
      break;
    case "d-value": {
      const values = { "0": 0n, "1": 1n, "2": 2n, "n-1": n - 1n, n, "n+1": n + 1n, "n+d": n + d, max: 0n };
      const value = mutation.which === "max" ? (1n << BigInt(8 * bytes)) - 1n : values[mutation.which];
      key = { ...key, d: toBytes(value, bytes) };
      break;
    }
    case "other-d":
      key = { ...key, d: unb64(other.d) };
      break;
    case "other-point":
      key = { ...key, x: unb64(other.x), y: unb64(other.y) };
      break;
    case "swap-xy":
      key = { ...key, x: key.y, y: key.x };
      break;
    case "negate-y":
      key = { ...key, y: toBytes(fieldPrime(curve) - toBigInt(key.y), bytes) };
      break;
    case "y-plus-1":
      key = { ...key, y: toBytes(toBigInt(key.y) + 1n, bytes) };
      break;
    case "drop-leading-byte":
      key = { ...key, [mutation.member]: key[mutation.member].subarray(1) };
      break;
    case "add-leading-zero":
      key = { ...key, [mutation.member]: Buffer.concat([Buffer.of(0), key[mutation.member]]) };
      break;
    case "other-curve":
      key = { ...key, crv: mutation.curve };
      break;
  }
  return key;
}

describe("EC key import (property)", () => {
  it("accepts a JWK exactly when noble says d·G = (x, y) with 1 ≤ d < n; every refusal is a safe 400", async () => {
    await fc.assert(
      fc.asyncProperty(ecCase, async (testCase) => {
        const key = mutateEc(testCase);
        const expected = ecKeyIsConsistent(key.crv, key.x, key.y, key.d);
        const outcome = await importOutcome({
          kty: "EC",
          crv: key.crv,
          x: b64(key.x),
          y: b64(key.y),
          d: b64(key.d),
        });
        assert.equal(outcome.accepted, expected, `${testCase.curve} ${JSON.stringify(testCase.mutation)}`);
        if (outcome.accepted) {
          // Round trip: the stored key is the one given (members padded to the curve's length).
          const bytes = coordinateBytes(key.crv);
          assert.equal(outcome.jwk.x, b64(toBytes(toBigInt(key.x), bytes)));
          assert.equal(outcome.jwk.y, b64(toBytes(toBigInt(key.y), bytes)));
          assert.equal(outcome.jwk.d, b64(toBytes(toBigInt(key.d), bytes)));
        } else {
          assertSafeRefusal(outcome, [key.d, unb64(ecJwkFromScalar(testCase.curve, testCase.d).d)]);
        }
      }),
      fuzzParameters(400),
    );
  });

  it("refuses the review's attack on every curve: a victim's x, y with d = 0, 1, n, n+1 or another key's d", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...CURVES)
          .chain((curve) => fc.tuple(fc.constant(curve), scalarArbitrary(curve), scalarArbitrary(curve))),
        async ([curve, victimD, attackerD]) => {
          fc.pre(victimD !== 1n && victimD !== attackerD);
          const victim = ecJwkFromScalar(curve, victimD);
          const n = order(curve);
          const bytes = coordinateBytes(curve);
          for (const d of [0n, 1n, n, n + 1n, attackerD]) {
            const outcome = await importOutcome({ ...victim, d: b64(toBytes(d, bytes)) });
            assertSafeRefusal(outcome, [toBytes(d, bytes), unb64(victim.d)]);
          }
          assert.equal((await importOutcome(victim)).accepted, true);
        },
      ),
      fuzzParameters(40),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// RSA

// RSA generation is slow: a few keys, mutated many ways.
const RSA_KEYS: RsaParts[] = [
  rsaParts(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" })),
  rsaParts(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" })),
  rsaParts(
    generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 }).privateKey.export({
      format: "jwk",
    }),
  ),
];
const RSA_SMALL: RsaParts = rsaParts(
  generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" }),
);
const RSA_SIZES = [2048, 3072, 4096];

type RsaMutation =
  | { kind: "none" }
  | { kind: "flip"; member: RsaMember; bit: number }
  | { kind: "other-member"; member: RsaMember }
  | { kind: "other-crt" }
  | { kind: "swap-pq" }
  | { kind: "swap-pq-and-exponents" }
  | { kind: "swap-all" }
  | { kind: "exponent"; e: number }
  | { kind: "identity" }
  | { kind: "d-mod-phi" }
  | { kind: "d-plus-lambda" }
  | { kind: "d-zero" }
  | { kind: "p-one" }
  | { kind: "leading-zero"; member: RsaMember }
  | { kind: "even-modulus" }
  | { kind: "small-modulus" };

const rsaMember = fc.constantFrom(...RSA_MEMBERS);
const rsaMutation: fc.Arbitrary<RsaMutation> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("flip" as const), member: rsaMember, bit: fc.nat({ max: 2047 }) }),
  fc.record({ kind: fc.constant("other-member" as const), member: rsaMember }),
  fc.constant({ kind: "other-crt" as const }),
  fc.constant({ kind: "swap-pq" as const }),
  fc.constant({ kind: "swap-pq-and-exponents" as const }),
  fc.constant({ kind: "swap-all" as const }),
  fc.record({ kind: fc.constant("exponent" as const), e: fc.constantFrom(1, 2, 3, 4, 65536, 65539) }),
  fc.constant({ kind: "identity" as const }),
  fc.constant({ kind: "d-mod-phi" as const }),
  fc.constant({ kind: "d-plus-lambda" as const }),
  fc.constant({ kind: "d-zero" as const }),
  fc.constant({ kind: "p-one" as const }),
  fc.record({ kind: fc.constant("leading-zero" as const), member: rsaMember }),
  fc.constant({ kind: "even-modulus" as const }),
  fc.constant({ kind: "small-modulus" as const }),
);

function mutateRsa(key: RsaParts, other: RsaParts, mutation: RsaMutation): RsaParts {
  const one = Buffer.of(1);
  switch (mutation.kind) {
    case "none":
      return key;
    case "flip":
      return { ...key, [mutation.member]: flipBit(key[mutation.member], mutation.bit) };
    case "other-member":
      return { ...key, [mutation.member]: other[mutation.member] };
    case "other-crt":
      return { ...key, p: other.p, q: other.q, dp: other.dp, dq: other.dq, qi: other.qi };
    case "swap-pq":
      return { ...key, p: key.q, q: key.p };
    case "swap-pq-and-exponents":
      return { ...key, p: key.q, q: key.p, dp: key.dq, dq: key.dp };
    case "swap-all": {
      // A valid key again: q becomes the first prime, so qi is p⁻¹ mod q.
      const qi = inverseMod(toBigInt(key.p), toBigInt(key.q));
      return { ...key, p: key.q, q: key.p, dp: key.dq, dq: key.dp, qi: toBytes(qi) };
    }
    case "exponent":
      return { ...key, e: toBytes(BigInt(mutation.e)) };
    case "identity":
      return { ...key, e: one, d: one, dp: one, dq: one };
    case "d-mod-phi": {
      const d = inverseMod(toBigInt(key.e), carmichael(key).phi);
      return { ...key, d: toBytes(d) };
    }
    case "d-plus-lambda":
      return { ...key, d: toBytes(toBigInt(key.d) + carmichael(key).lambda) };
    case "d-zero":
      return { ...key, d: Buffer.of(0) };
    case "p-one":
      return { ...key, p: one, q: key.n };
    case "leading-zero":
      return { ...key, [mutation.member]: Buffer.concat([Buffer.of(0), key[mutation.member]]) };
    case "even-modulus":
      return { ...key, n: toBytes(toBigInt(key.n) ^ 1n) };
    case "small-modulus":
      return RSA_SMALL;
  }
}

const secretsOf = (parts: RsaParts): Buffer[] =>
  (["d", "p", "q", "dp", "dq", "qi"] as const).map((m) => parts[m]);

describe("RSA key import (property)", () => {
  it("accepts a JWK exactly when `openssl pkey -check` does, n has an HSM size and d < n; every refusal is a safe 400", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: RSA_KEYS.length - 1 }),
        fc.nat({ max: RSA_KEYS.length - 2 }),
        rsaMutation,
        async (index, offset, mutation) => {
          const key = RSA_KEYS[index] as RsaParts;
          const other = RSA_KEYS[(index + 1 + offset) % RSA_KEYS.length] as RsaParts;
          const mutated = mutateRsa(key, other, mutation);
          // OpenSSL's check does not bound d; RFC 8017 §3.2 has d < n.
          const expected =
            RSA_SIZES.includes(toBigInt(mutated.n).toString(2).length) &&
            toBigInt(mutated.d) < toBigInt(mutated.n) &&
            opensslAcceptsRsa(mutated);
          const outcome = await importOutcome(rsaJwk(mutated));
          assert.equal(outcome.accepted, expected, JSON.stringify(mutation));
          if (outcome.accepted) {
            assert.equal(outcome.jwk.n, b64(toBytes(toBigInt(mutated.n))));
            assert.equal(outcome.jwk.e, b64(toBytes(toBigInt(mutated.e))));
          } else {
            assertSafeRefusal(outcome, [...secretsOf(mutated), ...secretsOf(key)]);
          }
        },
      ),
      fuzzParameters(40),
    );
  });

  it("refuses the review's cases: another key's d, another key's p, q, dp, dq, qi, a flipped dp, e = 1 and e = 2", async () => {
    const [key, other] = RSA_KEYS as [RsaParts, RsaParts];
    const cases: Array<[string, RsaParts]> = [
      ["another key's d", { ...key, d: other.d }],
      ["another key's p, q, dp, dq, qi", mutateRsa(key, other, { kind: "other-crt" })],
      ["a flipped dp", { ...key, dp: flipBit(key.dp, 9) }],
      ["a flipped qi", { ...key, qi: flipBit(key.qi, 3) }],
      ["e = 1 with d = dp = dq = 1", mutateRsa(key, other, { kind: "identity" })],
      ["e = 2", { ...key, e: Buffer.of(2) }],
      ["an even modulus", mutateRsa(key, other, { kind: "even-modulus" })],
      ["p and q swapped", mutateRsa(key, other, { kind: "swap-pq" })],
    ];
    for (const [name, parts] of cases) {
      assert.equal(opensslAcceptsRsa(parts), false, `openssl itself accepts ${name}`);
      assertSafeRefusal(await importOutcome(rsaJwk(parts)), [...secretsOf(parts), ...secretsOf(key)]);
    }
    assert.equal((await importOutcome(rsaJwk(key))).accepted, true);
  });
});

// ---------------------------------------------------------------------------------------------
// oct

describe("oct key import (property)", () => {
  it("accepts 16, 24 and 32 bytes as they are and refuses every other length", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 40 }), async (bytes) => {
        const secret = Buffer.from(bytes);
        const outcome = await importOutcome({ kty: "oct", k: b64(secret) });
        if ([16, 24, 32].includes(secret.length)) {
          assert.equal(outcome.accepted, true);
          if (outcome.accepted) assert.equal(outcome.jwk.k, b64(secret));
        } else if (secret.length === 0) {
          assert.equal(outcome.accepted, false);
        } else {
          assertSafeRefusal(outcome, [secret]);
        }
      }),
      fuzzParameters(200),
    );
  });
});
