import { randomInt } from "node:crypto";
import { SecurityDomainFormatError } from "./security-domain-format.js";

/**
 * The share encoding of Azure's security domain (`SharedKeys.key_algorithm` "shamir_share"), as
 * the Azure CLI's reader has it (security_domain/{shared_secret,byte_shares,mod_math}.py):
 * Shamir's scheme over the prime field of 257 elements, one polynomial per byte of the secret.
 * A share is one 16-bit word per secret byte, `(x << 9) | v`: x the share's number (1–126, the
 * same in every word), v the polynomial's value at x (0–256), little-endian as the CLI reads
 * it on x86. This is a data format, not a cipher: what the shares protect is a random master
 * key that only opens data through an authenticated cipher (A256CBC-HS512), which is what
 * notices shares that do not belong together.
 */
const PRIME = 257;
export const MAX_SHARES = 126;
const X_SHIFT = 9;
const V_MASK = 0x1ff;

const mod = (value: number) => ((value % PRIME) + PRIME) % PRIME;

/** a^(p-2) = a^-1 in the field (Fermat); only called with a ≠ 0. */
function inverse(a: number): number {
  let result = 1;
  let base = mod(a);
  for (let exponent = PRIME - 2; exponent > 0; exponent >>= 1) {
    if (exponent & 1) result = (result * base) % PRIME;
    base = (base * base) % PRIME;
  }
  return result;
}

/** Splits `secret` into `count` shares, any `required` of which rebuild it. */
export function splitSecret(secret: Buffer, count: number, required: number): Buffer[] {
  if (!Number.isInteger(count) || count < 2 || count > MAX_SHARES) {
    throw new RangeError(`a secret is split into 2 to ${MAX_SHARES} shares, not ${count}`);
  }
  if (!Number.isInteger(required) || required < 2 || required > count) {
    throw new RangeError(`the quorum must be from 2 to the number of shares, not ${required}`);
  }
  const shares = Array.from({ length: count }, () => Buffer.alloc(secret.length * 2));
  const coefficients = new Array<number>(required);
  for (const [index, byte] of secret.entries()) {
    // f(0) = the byte; the other coefficients uniform in the field (zero included, as uniform
    // sampling must: excluding values would tell something about the secret).
    coefficients[0] = byte;
    for (let degree = 1; degree < required; degree++) coefficients[degree] = randomInt(PRIME);
    for (let x = 1; x <= count; x++) {
      let value = 0;
      for (let degree = required - 1; degree >= 0; degree--) {
        value = (value * x + (coefficients[degree] as number)) % PRIME;
      }
      (shares[x - 1] as Buffer).writeUInt16LE((x << X_SHIFT) | value, index * 2);
    }
  }
  coefficients.fill(0);
  return shares;
}

/**
 * The secret from shares (Lagrange interpolation at 0). Every share must be well formed, all of
 * the same length, with distinct x; a byte that comes out as 256 means shares of different
 * secrets were mixed. Errors say which, never what a share holds.
 */
export function combineShares(shares: Buffer[]): Buffer {
  const fail = (why: string) => new SecurityDomainFormatError(`The shares cannot be combined: ${why}.`);
  if (shares.length < 2) throw fail("at least two are needed");
  const length = (shares[0] as Buffer).length;
  if (length === 0 || length % 2 !== 0) throw fail("a share is not a sequence of 16-bit words");
  const xs = shares.map((share, number) => {
    if (share.length !== length) throw fail("they are of different lengths");
    const x = share.readUInt16LE(0) >> X_SHIFT;
    for (let offset = 0; offset < length; offset += 2) {
      const word = share.readUInt16LE(offset);
      if (word >> X_SHIFT !== x) throw fail(`share ${number + 1} changes its x coordinate`);
      if ((word & V_MASK) >= PRIME) throw fail(`share ${number + 1} holds a value outside the field`);
    }
    if (x < 1 || x > MAX_SHARES) throw fail(`share ${number + 1} has the x coordinate ${x}`);
    return x;
  });
  if (new Set(xs).size !== xs.length) throw fail("two of them are the same share");
  // l_i(0) = prod_{j≠i} x_j / (x_j - x_i)
  const basis = xs.map((xi, i) => {
    let numerator = 1;
    let denominator = 1;
    for (const [j, xj] of xs.entries()) {
      if (i === j) continue;
      numerator = (numerator * xj) % PRIME;
      denominator = (denominator * mod(xj - xi)) % PRIME;
    }
    return (numerator * inverse(denominator)) % PRIME;
  });
  const secret = Buffer.alloc(length / 2);
  for (let index = 0; index < secret.length; index++) {
    let value = 0;
    for (const [i, share] of shares.entries()) {
      value = (value + (basis[i] as number) * (share.readUInt16LE(index * 2) & V_MASK)) % PRIME;
    }
    if (value > 0xff) {
      secret.fill(0);
      throw fail("they are not shares of one secret");
    }
    secret[index] = value;
  }
  return secret;
}
