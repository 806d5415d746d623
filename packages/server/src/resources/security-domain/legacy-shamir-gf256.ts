import { combine } from "shamir-secret-sharing";

/**
 * How mhsm's own security domain format 1.0 shared its master key, read only now (to upload files
 * made before the switch to Azure's format, legacy-format.ts): Shamir's secret sharing over
 * GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1), by shamir-secret-sharing: audited (Cure53,
 * Zellic), the same construction and share layout as HashiCorp Vault's shamir package. A share
 * is the secret's length in y values followed by one byte, its x coordinate (1..255).
 * legacy-shamir-gf256.test.ts checks it against the field example of FIPS-197.
 *
 * Recombination does not know whether it got the right shares: callers verify the result
 * (the security domain authenticates what the recombined key opens).
 */
export async function combineShares(shares: Buffer[]): Promise<Buffer> {
  const plain = shares.map((share) => new Uint8Array(share));
  try {
    const secret = await combine(plain);
    return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
  } finally {
    for (const share of plain) share.fill(0);
  }
}
