import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "../../../../../test/harness/fuzz.js";
import { combineShares, splitSecret } from "./prime-field-shares.js";
import { SecurityDomainFormatError } from "./security-domain-format.js";

const word = (x: number, v: number) => {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE((x << 9) | v);
  return bytes;
};

/** A secret, a number of shares, a quorum, and which shares (in what order) come back. */
const splits = fc
  .record({
    secret: fc.uint8Array({ minLength: 1, maxLength: 48 }),
    count: fc.integer({ min: 2, max: 12 }),
  })
  .chain(({ secret, count }) =>
    fc.record({
      secret: fc.constant(Buffer.from(secret)),
      count: fc.constant(count),
      required: fc.integer({ min: 2, max: count }),
      order: fc.shuffledSubarray(
        Array.from({ length: count }, (_, i) => i),
        { minLength: count, maxLength: count },
      ),
    }),
  );

describe("Shamir's scheme mod 257 with Azure's share words (property)", () => {
  it("any quorum of shares, in any order, gives the secret back", () => {
    fc.assert(
      fc.property(splits, fc.nat(), ({ secret, count, required, order }, extra) => {
        const shares = splitSecret(secret, count, required);
        const take = required + (extra % (count - required + 1));
        const chosen = order.slice(0, take).map((i) => shares[i] as Buffer);
        return combineShares(chosen).equals(secret);
      }),
      fuzzParameters(300),
    );
  });

  it("writes one little-endian word (x << 9) | v per secret byte, x the share's number, v in the field", () => {
    fc.assert(
      fc.property(splits, ({ secret, count, required }) => {
        const shares = splitSecret(secret, count, required);
        return shares.every(
          (share, index) =>
            share.length === secret.length * 2 &&
            Array.from({ length: secret.length }, (_, i) => share.readUInt16LE(i * 2)).every(
              (w) => w >> 9 === index + 1 && (w & 0x1ff) <= 256,
            ),
        );
      }),
      fuzzParameters(300),
    );
  });

  it("fewer shares than the quorum do not give a 32-byte secret back", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 3, max: 10 }),
        (secret, required) => {
          const shares = splitSecret(Buffer.from(secret), required, required).slice(0, required - 1);
          try {
            return !combineShares(shares).equals(Buffer.from(secret));
          } catch (error) {
            return error instanceof SecurityDomainFormatError;
          }
        },
      ),
      fuzzParameters(200),
    );
  });
});

describe("Shamir's scheme mod 257: fixed cases", () => {
  it("recombines hand-made shares, wrapping around 257 (f(x) = 255 + 3x: f(1) = 1, f(2) = 4)", () => {
    assert.deepEqual(combineShares([word(1, 1), word(2, 4)]), Buffer.of(255));
    assert.deepEqual(combineShares([word(2, 4), word(1, 1)]), Buffer.of(255));
    // f(x) = 7 + 100x + 200x² at x = 1, 5, 126 (mod 257): a quorum of three, largest x.
    const f = (x: number) => (7 + 100 * x + 200 * x * x) % 257;
    assert.deepEqual(combineShares([word(126, f(126)), word(1, f(1)), word(5, f(5))]), Buffer.of(7));
  });

  it("refuses shares that are not well formed, or not of one secret, saying which", () => {
    const cases: Array<[Buffer[], RegExp]> = [
      [[word(1, 1)], /at least two/],
      [[Buffer.of(1, 2, 3), Buffer.of(1, 2, 3)], /not a sequence of 16-bit words/],
      [[word(1, 1), Buffer.concat([word(2, 4), word(2, 4)])], /different lengths/],
      [
        [Buffer.concat([word(1, 1), word(3, 1)]), Buffer.concat([word(2, 4), word(2, 4)])],
        /share 1 changes its x/,
      ],
      [[word(1, 1), word(2, 300)], /share 2 holds a value outside the field/],
      [[word(0, 1), word(2, 4)], /share 1 has the x coordinate 0/],
      [[word(2, 4), word(2, 4)], /two of them are the same share/],
      // f(1) = 0, f(2) = 1: the line through them meets x = 0 at -1 = 256, which is no byte.
      [[word(1, 0), word(2, 1)], /not shares of one secret/],
    ];
    for (const [shares, message] of cases) {
      assert.throws(
        () => combineShares(shares),
        (error: Error) => {
          assert.ok(error instanceof SecurityDomainFormatError);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });

  it("splits into 2 to 126 shares with a quorum of 2 up to their number, and nothing else", () => {
    assert.equal(splitSecret(Buffer.of(1), 126, 2).length, 126);
    assert.throws(() => splitSecret(Buffer.of(1), 127, 2), RangeError);
    assert.throws(() => splitSecret(Buffer.of(1), 3, 1), RangeError);
    assert.throws(() => splitSecret(Buffer.of(1), 3, 4), RangeError);
  });
});
