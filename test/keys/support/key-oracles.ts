import { type JsonWebKey, type KeyObject, createPrivateKey, createPublicKey } from "node:crypto";
import { invert } from "@noble/curves/abstract/modular.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import fc from "fast-check";
import { opensslVerifies } from "./openssl.js";

/**
 * Independent references for key import and signature tests: @noble/curves for EC point
 * arithmetic (the server computes d·G with OpenSSL) and the `openssl` command for RSA key
 * consistency (`openssl pkey -check`; `openssl rsa -check` 3.0 exits 0 even on a bad key). Test code only.
 */

export type Curve = "P-256" | "P-256K" | "P-384" | "P-521";
export const CURVES: readonly Curve[] = ["P-256", "P-256K", "P-384", "P-521"];

export const NOBLE = { "P-256": p256, "P-256K": secp256k1, "P-384": p384, "P-521": p521 } as const;
export const NODE_CRV: Record<Curve, string> = {
  "P-256": "P-256",
  "P-256K": "secp256k1",
  "P-384": "P-384",
  "P-521": "P-521",
};
export const HASH: Record<Curve, "sha256" | "sha384" | "sha512"> = {
  "P-256": "sha256",
  "P-256K": "sha256",
  "P-384": "sha384",
  "P-521": "sha512",
};
export const ALG: Record<Curve, string> = {
  "P-256": "ES256",
  "P-256K": "ES256K",
  "P-384": "ES384",
  "P-521": "ES512",
};

/** Coordinate (and scalar) length in bytes. */
export const coordinateBytes = (curve: Curve): number => NOBLE[curve].Point.Fp.BYTES;
export const order = (curve: Curve): bigint => NOBLE[curve].Point.Fn.ORDER;
export const fieldPrime = (curve: Curve): bigint => NOBLE[curve].Point.Fp.ORDER;

export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/** Big-endian bytes of a non-negative value, left-padded to `length` (or minimal without it). */
export function toBytes(value: bigint, length?: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (length !== undefined) hex = hex.padStart(length * 2, "0");
  return Buffer.from(hex, "hex");
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
export const unb64 = (text: string | undefined): Buffer => Buffer.from(text ?? "", "base64url");

export interface EcJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  d: string;
}

/** The EC JWK (Key Vault's crv spelling) of scalar d, its point computed by noble. */
export function ecJwkFromScalar(curve: Curve, d: bigint): EcJwk {
  const bytes = coordinateBytes(curve);
  const point = NOBLE[curve].Point.BASE.multiply(d).toAffine();
  return {
    kty: "EC",
    crv: curve,
    x: b64(toBytes(point.x, bytes)),
    y: b64(toBytes(point.y, bytes)),
    d: b64(toBytes(d, bytes)),
  };
}

/** A node:crypto private key with exactly these members (node does not check they match). */
export function nodeEcPrivateKey(curve: Curve, x: string, y: string, d: string): KeyObject {
  return createPrivateKey({ key: { kty: "EC", crv: NODE_CRV[curve], x, y, d }, format: "jwk" });
}

export function nodeEcPublicKey(curve: Curve, x: string, y: string): KeyObject {
  return createPublicKey({ key: { kty: "EC", crv: NODE_CRV[curve], x, y }, format: "jwk" });
}

/**
 * Whether an EC JWK is one key, by noble: x and y of the curve's length, d of at most that
 * length with 1 ≤ d < n, and d·G = (x, y).
 */
export function ecKeyIsConsistent(curve: Curve, x: Buffer, y: Buffer, d: Buffer): boolean {
  const bytes = coordinateBytes(curve);
  // Members shorter than the curve's length are read as numbers (leading zero bytes dropped).
  if (x.length > bytes || y.length > bytes || d.length > bytes) return false;
  const scalar = toBigInt(d);
  if (scalar < 1n || scalar >= order(curve)) return false;
  const point = NOBLE[curve].Point.BASE.multiply(scalar).toAffine();
  return toBigInt(x) === point.x && toBigInt(y) === point.y;
}

/** A scalar of the curve: mostly uniform, sometimes at the ends of the range. */
export function scalarArbitrary(curve: Curve): fc.Arbitrary<bigint> {
  const n = order(curve);
  return fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: n - 1n }) },
    { weight: 1, arbitrary: fc.constantFrom(1n, 2n, 3n, n - 1n, n - 2n) },
  );
}

export const RSA_MEMBERS = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;
export type RsaMember = (typeof RSA_MEMBERS)[number];
export type RsaParts = Record<RsaMember, Buffer>;

export function rsaParts(jwk: JsonWebKey): RsaParts {
  return Object.fromEntries(RSA_MEMBERS.map((m) => [m, unb64(jwk[m] as string)])) as RsaParts;
}

export function rsaJwk(parts: RsaParts): Record<string, string> {
  return { kty: "RSA", ...Object.fromEntries(RSA_MEMBERS.map((m) => [m, b64(parts[m])])) };
}

/** λ(n) = lcm(p−1, q−1) and φ(n) of a valid key (for building valid variants). */
export function carmichael(parts: RsaParts): { lambda: bigint; phi: bigint } {
  const p = toBigInt(parts.p) - 1n;
  const q = toBigInt(parts.q) - 1n;
  let [a, b] = [p, q];
  while (b !== 0n) [a, b] = [b, a % b];
  return { lambda: (p / a) * q, phi: p * q };
}

export const inverseMod = (value: bigint, modulus: bigint): bigint => invert(value, modulus);

/**
 * Whether OpenSSL's own key check (`openssl pkey -check`: e odd and above 1, p and q prime, n = p·q,
 * e·d ≡ 1 mod lcm(p−1, q−1), dp, dq and qi) accepts these members, written as a PKCS#1
 * RSAPrivateKey. The member values are taken as they are, with no checks of our own.
 */
export function opensslAcceptsRsa(parts: RsaParts): boolean {
  const der = derSequence([derInteger(0n), ...RSA_MEMBERS.map((m) => derInteger(toBigInt(parts[m])))]);
  return opensslVerifies((dir) => ["pkey", "-inform", "DER", "-in", `${dir}/key.der`, "-check", "-noout"], {
    "key.der": der,
  });
}

function derInteger(value: bigint): Buffer {
  let bytes = toBytes(value);
  if (bytes.length === 0) bytes = Buffer.of(0);
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02), derLength(bytes.length), bytes]);
}

function derSequence(items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  return Buffer.concat([Buffer.of(0x30), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes = toBytes(BigInt(length));
  return Buffer.concat([Buffer.of(0x80 | bytes.length), bytes]);
}

/** An ECDSA signature in DER (what `openssl dgst` and `pkeyutl` read and write) as r||s, by noble. */
export function derToP1363(curve: Curve, der: Buffer): Buffer {
  return Buffer.from(NOBLE[curve].Signature.fromBytes(der, "der").toBytes("compact"));
}
