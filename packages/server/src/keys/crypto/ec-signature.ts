import { type ECDH, type KeyObject, createECDH, randomBytes } from "node:crypto";
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
 * Verification uses the private scalar too: u1·G + u2·Q = (u1 + u2·d)·G, one scalar
 * multiplication by OpenSSL instead of point arithmetic here. Signatures are r||s (IEEE P1363).
 */
interface CurveParameters {
  opensslName: string;
  /** The group order. */
  n: bigint;
  nBits: number;
  /** Bytes of a coordinate and of r and s. */
  bytes: number;
}

const CURVE_PARAMETERS: Record<CurveName, CurveParameters> = {
  "P-256": curve("prime256v1", "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 32),
  "P-256K": curve("secp256k1", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 32),
  "P-384": curve(
    "secp384r1",
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    48,
  ),
  "P-521": curve(
    "secp521r1",
    "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    66,
  ),
};

function curve(opensslName: string, orderHex: string, bytes: number): CurveParameters {
  const n = BigInt(`0x${orderHex}`);
  return { opensslName, n, nBits: n.toString(2).length, bytes };
}

/** An EC private key ready for prehashed ECDSA: its scalar, read once from the KeyObject. */
export class EcdsaKey {
  readonly #d: bigint;
  readonly #parameters: CurveParameters;
  // One ECDH object per key: setPrivateKey/getPublicKey run synchronously, so reuse is safe.
  readonly #ecdh: ECDH;

  constructor(privateKey: KeyObject, curveName: CurveName) {
    this.#parameters = CURVE_PARAMETERS[curveName];
    const jwk = privateKey.export({ format: "jwk" });
    this.#d = bytesToBigInt(Buffer.from(jwk.d as string, "base64url"));
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

  verify(digest: Buffer, signature: Buffer): boolean {
    const { n, bytes } = this.#parameters;
    if (signature.length !== 2 * bytes) return false;
    const r = bytesToBigInt(signature.subarray(0, bytes));
    const s = bytesToBigInt(signature.subarray(bytes));
    if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
    const w = modInverse(s, n);
    const u1 = (this.digestScalar(digest) * w) % n;
    const u2 = (r * w) % n;
    // u1·G + u2·Q = (u1 + u2·d)·G; d is blinded as in sign.
    const b = randomScalar(n);
    const t = (((u1 * b) % n) + ((u2 * ((this.#d * b) % n)) % n)) % n;
    const tUnblinded = (t * modInverse(b, n)) % n;
    if (tUnblinded === 0n) return false;
    return this.xOfMultiple(tUnblinded) % n === r;
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
