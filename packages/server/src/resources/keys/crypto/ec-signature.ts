import { type KeyObject, createPublicKey } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { CurveName } from "../key-model.js";

/**
 * ECDSA over a digest the client computed (Key Vault's sign takes a digest). node:crypto's
 * sign() and verify() always hash their input (with no hash named they use SHA-256), so both
 * directions use @noble/curves' audited ECDSA with prehash off; no ECDSA arithmetic is written
 * here.
 *
 * Verification uses the published public point Q only, never d: a verify written as
 * (u1 + u2·d)·G answers for the private scalar, which is a different key whenever d·G ≠ Q.
 * Signatures are r||s (IEEE P1363).
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
  /** The private scalar, big-endian, padded to the curve's length. */
  readonly #secretKey: Uint8Array;
  /** The published public point, uncompressed: 0x04 || X || Y. */
  readonly #publicPoint: Uint8Array;
  readonly #parameters: CurveParameters;

  constructor(privateKey: KeyObject, curveName: CurveName) {
    this.#parameters = CURVE_PARAMETERS[curveName];
    const jwk = privateKey.export({ format: "jwk" });
    this.#secretKey = leftPad(Buffer.from(jwk.d as string, "base64url"), this.#parameters.bytes);
    const published = createPublicKey(privateKey).export({ format: "jwk" });
    this.#publicPoint = Buffer.concat([
      Buffer.of(0x04),
      Buffer.from(published.x as string, "base64url"),
      Buffer.from(published.y as string, "base64url"),
    ]);
  }

  get signatureBytes(): number {
    return 2 * this.#parameters.bytes;
  }

  /**
   * @noble/curves' audited ECDSA over the digest (prehash off: the digest is the message's
   * hash, truncated to the group order's bit length as SEC 1 says). Its nonce is RFC 6979's,
   * hedged with fresh randomness (extraEntropy), so a weak random source cannot leak the key
   * and equal digests still get different signatures. High s is kept, as OpenSSL makes it.
   */
  sign(digest: Buffer): Buffer {
    const signature = this.#parameters.noble.sign(digest, this.#secretKey, {
      prehash: false,
      lowS: false,
      extraEntropy: true,
      format: "compact",
    });
    return Buffer.from(signature);
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
}

function leftPad(bytes: Buffer, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  return Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

/**
 * ECDSA verification against a public key alone (a key whose private half lives in a PKCS#11
 * token): the same check as EcdsaKey.verify.
 */
export function verifyEcdsaWithPublicKey(
  publicKey: KeyObject,
  curveName: CurveName,
  digest: Buffer,
  signature: Buffer,
): boolean {
  const { bytes, noble } = CURVE_PARAMETERS[curveName];
  if (signature.length !== 2 * bytes) return false;
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([
    Buffer.of(0x04),
    Buffer.from(jwk.x as string, "base64url"),
    Buffer.from(jwk.y as string, "base64url"),
  ]);
  try {
    return noble.verify(signature, digest, point, { prehash: false, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}
