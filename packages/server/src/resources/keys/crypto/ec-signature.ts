import { type ECDH, type KeyObject, createECDH, createPublicKey, randomBytes } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { CurveName } from "../key-model.js";

/**
 * ECDSA over a digest the client computed (Key Vault's sign takes a digest). node:crypto's
 * sign() and verify() always hash their input (with no hash named they use SHA-256), so the
 * ECDSA equations are written out here (SEC 1 §4.1) and the one operation that must be
 * constant-time, the scalar multiplication k·G, is OpenSSL's: an ECDH object whose private key
 * is set to k computes k·G as its public key.
 *
 * Arithmetic that involves the private scalar d or the nonce k runs in BigInt, which is not
 * constant-time; both are blinded with a fresh random factor first, so what the timing of
 * those operations depends on is independent of the secrets.
 *
 * Verification uses the published public point Q only, never d: it is @noble/curves' audited
 * ECDSA verify over the digest (prehash off, high s allowed, as OpenSSL allows it). A verify
 * written as (u1 + u2·d)·G answers for the private scalar, which is a different key whenever
 * d·G ≠ Q. Signatures are r||s (IEEE P1363).
 */
type NobleEcdsa = typeof p256;

export interface CurveParameters {
  opensslName: string;
  noble: NobleEcdsa;
  /** The group order. */
  n: bigint;
  nBits: number;
  /** Bytes of a coordinate and of r and s. */
  bytes: number;
}

const CURVE_PARAMETERS: Record<CurveName, CurveParameters> = {
  "P-256": curve("prime256v1", p256, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 32),
  "P-256K": curve(
    "secp256k1",
    secp256k1,
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
    32,
  ),
  "P-384": curve(
    "secp384r1",
    p384,
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    48,
  ),
  "P-521": curve(
    "secp521r1",
    p521,
    "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    66,
  ),
};

function curve(opensslName: string, noble: NobleEcdsa, orderHex: string, bytes: number): CurveParameters {
  const n = BigInt(`0x${orderHex}`);
  if (noble.Point.Fn.ORDER !== n) throw new Error(`curve order mismatch for ${opensslName}`);
  return { opensslName, noble, n, nBits: n.toString(2).length, bytes };
}

/** The curve's OpenSSL name, group order and coordinate length (import checks keys against them). */
export function curveParameters(curveName: CurveName): Readonly<CurveParameters> {
  return CURVE_PARAMETERS[curveName];
}

/**
 * An EC private key ready for prehashed ECDSA: its scalar and its public point (the one the key
 * publishes, from the KeyObject's public key), read once.
 */
export class EcdsaKey {
  readonly #d: bigint;
  /** The published public point, uncompressed: 0x04 || X || Y. */
  readonly #publicPoint: Uint8Array;
  readonly #parameters: CurveParameters;
  // One ECDH object per key: setPrivateKey/getPublicKey run synchronously, so reuse is safe.
  readonly #ecdh: ECDH;

  constructor(privateKey: KeyObject, curveName: CurveName) {
    this.#parameters = CURVE_PARAMETERS[curveName];
    const jwk = privateKey.export({ format: "jwk" });
    this.#d = bytesToBigInt(Buffer.from(jwk.d as string, "base64url"));
    const published = createPublicKey(privateKey).export({ format: "jwk" });
    this.#publicPoint = Buffer.concat([
      Buffer.of(0x04),
      Buffer.from(published.x as string, "base64url"),
      Buffer.from(published.y as string, "base64url"),
    ]);
    this.#ecdh = createECDH(this.#parameters.opensslName);
  }

  get signatureBytes(): number {
    return 2 * this.#parameters.bytes;
  }

  sign(digest: Buffer): Buffer {
    const { n, bytes } = this.#parameters;
    const e = this.digestScalar(digest);
    for (;;) {
      const k = randomScalar(n);
      const r = this.xOfMultiple(k) % n;
      if (r === 0n) continue;
      // s = k⁻¹ (e + r·d) mod n, computed as (k·b)⁻¹ · (b·e + r·(b·d)) with a random blinding b.
      const b = randomScalar(n);
      const kInverse = (modInverse((k * b) % n, n) * b) % n;
      const rd = (r * ((b * this.#d) % n)) % n;
      const s = (kInverse * ((((b * e) % n) + rd) % n) * modInverse(b, n)) % n;
      if (s === 0n) continue;
      return Buffer.concat([bigIntToBytes(r, bytes), bigIntToBytes(s, bytes)]);
    }
  }

  /** ECDSA verification against the published public point (never the private scalar). */
  verify(digest: Buffer, signature: Buffer): boolean {
    const { bytes, noble } = this.#parameters;
    if (signature.length !== 2 * bytes) return false;
    try {
      return noble.verify(signature, digest, this.#publicPoint, {
        prehash: false,
        lowS: false,
        format: "compact",
      });
    } catch {
      return false;
    }
  }

  /** The x coordinate of k·G, by OpenSSL. */
  private xOfMultiple(k: bigint): bigint {
    const { bytes } = this.#parameters;
    this.#ecdh.setPrivateKey(bigIntToBytes(k, bytes));
    const point = this.#ecdh.getPublicKey(); // 0x04 || X || Y
    return bytesToBigInt(point.subarray(1, 1 + bytes));
  }

  /** SEC 1 §4.1.3 step 5: the leftmost nBits bits of the digest. */
  private digestScalar(digest: Buffer): bigint {
    const { nBits } = this.#parameters;
    const e = bytesToBigInt(digest);
    const digestBits = digest.length * 8;
    return digestBits > nBits ? e >> BigInt(digestBits - nBits) : e;
  }
}

/** Uniform in [1, n-1]: 64 extra random bits make the modulo bias negligible. */
function randomScalar(n: bigint): bigint {
  const byteLength = Math.ceil(n.toString(16).length / 2) + 8;
  for (;;) {
    const candidate = bytesToBigInt(randomBytes(byteLength)) % n;
    if (candidate !== 0n) return candidate;
  }
}

function modInverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [value % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return ((oldS % modulus) + modulus) % modulus;
}

function bytesToBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString("hex")}`);
}

function bigIntToBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
}
