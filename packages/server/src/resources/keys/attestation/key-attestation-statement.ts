import { createHash, createPublicKey } from "node:crypto";
import type { KeyVersion } from "../key-model.js";
import type { HsmAttestationIdentity } from "./hsm-attestation-identity.js";

/**
 * mhsm's key attestation blob (docs/key-attestation.md): a compact JWS, RS256, whose header
 * carries the signing certificate chain in `x5c` (attestation certificate, then the root) and
 * whose payload states what the HSM knows of one key version. Real HSMs sign vendor blobs; this
 * one is plain JSON in a JWS so that OpenSSL (or any JOSE library) checks it with no mhsm code.
 */
export const ATTESTATION_FORMAT = "mhsm-key-attestation";
/** KeyAttestation.version on the wire: names this format, so no tool mistakes it for a vendor's. */
export const ATTESTATION_VERSION = "mhsm-jws-1.0";

export type AttestedPortion = "private" | "public";

export interface KeyAttestationClaims {
  format: typeof ATTESTATION_FORMAT;
  version: typeof ATTESTATION_VERSION;
  /** Which part of the key this blob speaks for. */
  portion: AttestedPortion;
  kid: string;
  kty: KeyVersion["shape"]["kty"];
  /** Bits, for RSA and oct keys. */
  keySize?: number;
  crv?: string;
  /** base64url SHA-256 of the public key's SubjectPublicKeyInfo DER; absent for oct keys. */
  publicKeySha256?: string;
  /** The version's creation, unix seconds. */
  created: number;
  exportable: boolean;
  /** Where the material was made: in this HSM, or brought in by an import. */
  origin: "generated" | "imported";
  /**
   * The private (or secret) material is held by this HSM, sealed by its barrier, and leaves it
   * only if exportable. mhsm is software: this states where the key lives, not what hardware
   * protects it.
   */
  heldInHsm: true;
  /** When the HSM signed this statement, unix seconds. */
  iat: number;
}

export interface AttestedKey {
  kid: string;
  key: KeyVersion;
  exportable: boolean;
}

/** The claims of one portion of a key version. */
export function claimsOf({ kid, key, exportable }: AttestedKey, portion: AttestedPortion, now: number) {
  const { shape } = key;
  const claims: KeyAttestationClaims = {
    format: ATTESTATION_FORMAT,
    version: ATTESTATION_VERSION,
    portion,
    kid,
    kty: shape.kty,
    ...(shape.kty === "EC-HSM" ? { crv: shape.curve } : { keySize: shape.keySize }),
    ...(shape.kty === "oct-HSM" ? {} : { publicKeySha256: publicKeySha256(key) }),
    created: Math.floor(key.attributes.created / 1000),
    exportable,
    origin: key.imported ? "imported" : "generated",
    heldInHsm: true,
    iat: Math.floor(now / 1000),
  };
  return claims;
}

/** The compact JWS of `claims`, signed by the HSM's attestation key. */
export function signAttestation(identity: HsmAttestationIdentity, claims: KeyAttestationClaims): string {
  const header = {
    alg: identity.algorithm,
    typ: "mhsm-key-attestation+jws",
    x5c: identity.certificatesPem.map(pemToBase64Der),
  };
  const input = `${json64(header)}.${json64(claims)}`;
  return `${input}.${identity.sign(Buffer.from(input, "ascii")).toString("base64url")}`;
}

/** SHA-256 of the SubjectPublicKeyInfo DER, as `openssl pkey -pubin -outform DER | openssl dgst -sha256` gives it. */
export function publicKeySha256(key: KeyVersion): string {
  const { n, e, crv, x, y } = key.publicKey;
  const jwk =
    key.shape.kty === "RSA-HSM"
      ? { kty: "RSA", n, e }
      : { kty: "EC", crv: crv === "P-256K" ? "secp256k1" : crv, x, y };
  const spki = createPublicKey({ key: jwk as never, format: "jwk" }).export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64url");
}

const json64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/** x5c holds base64 (not base64url) DER (RFC 7515 §4.1.6). */
function pemToBase64Der(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
}
