import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

/**
 * Client secrets are kept only as scrypt hashes ("slow hashes"): a copy of the database does
 * not let anyone authenticate. Format: scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>.
 */
const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const maxmem = (n: number, r: number) => 128 * n * r * 2;

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** LOG2_N;
  const hash = await scrypt(secret, salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return ["scrypt", LOG2_N, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, log2n, r, p, salt, expected] = stored.split("$");
  if (scheme !== "scrypt" || !log2n || !r || !p || !salt || !expected) return false;
  const N = 2 ** Number(log2n);
  const expectedBytes = Buffer.from(expected, "base64url");
  const actual = await scrypt(secret, Buffer.from(salt, "base64url"), expectedBytes.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: maxmem(N, Number(r)),
  });
  return timingSafeEqual(actual, expectedBytes);
}
