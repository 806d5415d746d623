import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { combineShares } from "./legacy-shamir-gf256.js";

/**
 * GF(2^8) with the AES polynomial, written here from the definition (shift and reduce by
 * 0x11b), independently of the library's log/exp tables.
 */
function gfMul(a: number, b: number): number {
  let product = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) product ^= a;
    const carry = a & 0x80;
    a = (a << 1) & 0xff;
    if (carry) a ^= 0x1b;
    b >>= 1;
  }
  return product;
}

function gfInverse(a: number): number {
  for (let candidate = 1; candidate < 256; candidate++) if (gfMul(a, candidate) === 1) return candidate;
  throw new Error("0 has no inverse");
}

/** Lagrange interpolation at x = 0 over GF(2^8), byte by byte (share = y values | x). */
function interpolateAtZero(shares: Buffer[]): Buffer {
  const length = (shares[0] as Buffer).length - 1;
  const xs = shares.map((share) => share[length] as number);
  const secret = Buffer.alloc(length);
  for (let byte = 0; byte < length; byte++) {
    let value = 0;
    for (const [i, share] of shares.entries()) {
      let basis = 1;
      for (const [j, xj] of xs.entries()) {
        if (i === j) continue;
        // l_i(0) = prod xj / (xj - xi); subtraction is xor in GF(2^8).
        basis = gfMul(basis, gfMul(xj, gfInverse(xj ^ (xs[i] as number))));
      }
      value ^= gfMul(share[byte] as number, basis);
    }
    secret[byte] = value;
  }
  return secret;
}

describe("Shamir's secret sharing over GF(2^8) (mhsm format 1.0, read only)", () => {
  it("uses the field of FIPS-197 (section 4.2 examples)", () => {
    // FIPS-197: {57} • {83} = {c1} and {57} • {13} = {fe}; the test's own arithmetic is right.
    assert.equal(gfMul(0x57, 0x83), 0xc1);
    assert.equal(gfMul(0x57, 0x13), 0xfe);
  });

  it("recombines shares made from a known polynomial (independent test vector)", async () => {
    // f(x) = secret + 0x57·x + 0x13·x² for every byte: threshold 3, shares at x = 1, 2, 3, 0xa4.
    const secret = Buffer.from("00ff5713c1fe8001", "hex");
    const share = (x: number) =>
      Buffer.concat([
        Buffer.from([...secret].map((s) => s ^ gfMul(0x57, x) ^ gfMul(0x13, gfMul(x, x)))),
        Buffer.of(x),
      ]);
    const [a, b, c, d] = [share(1), share(2), share(3), share(0xa4)];
    // By hand for the first byte at x = 2: 0x00 ^ (0x57·2 = 0xae) ^ (0x13·4 = 0x4c) = 0xe2.
    assert.equal(b[0], 0xe2);
    assert.deepEqual(interpolateAtZero([a, b, c]), secret, "the test's own arithmetic agrees");
    assert.deepEqual(await combineShares([a, b, c]), secret);
    assert.deepEqual(await combineShares([d, b, a]), secret);
    assert.deepEqual(await combineShares([a, b, c, d]), secret);
    assert.notDeepEqual(await combineShares([a, d]), secret);
  });
});
