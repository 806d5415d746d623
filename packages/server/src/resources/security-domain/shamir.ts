import { combine, split } from "shamir-secret-sharing";

/**
 * Shamir's secret sharing over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1), by
 * shamir-secret-sharing: audited (Cure53, Zellic), zero-dependency, the same construction and
 * share layout as HashiCorp Vault's shamir package. A share is the secret's length in y values
 * followed by one byte, its x coordinate (1..255). shamir.test.ts checks it against the field
 * example of FIPS-197 and an independent Lagrange interpolation.
 *
 * Recombination does not know whether it got the right shares: callers verify the result
 * (the security domain authenticates what the recombined key opens).
 */
export const MIN_SHARES = 2;
export const MAX_SHARES = 255;

export async function splitSecret(secret: Buffer, shares: number, threshold: number): Promise<Buffer[]> {
  // The library insists on a plain Uint8Array (a Buffer's constructor is Buffer).
  const plain = new Uint8Array(secret);
  try {
    const parts = await split(plain, shares, threshold);
    return parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  } finally {
    plain.fill(0);
  }
}

export async function combineShares(shares: Buffer[]): Promise<Buffer> {
  const plain = shares.map((share) => new Uint8Array(share));
  try {
    const secret = await combine(plain);
    return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
  } finally {
    for (const share of plain) share.fill(0);
  }
}
