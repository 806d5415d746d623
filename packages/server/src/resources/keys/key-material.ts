import { type KeyObject, createPrivateKey, createPublicKey, createSecretKey } from "node:crypto";
import type { CurveName, KeyShape, KeyType, PublicKeyParts } from "./key-model.js";

/**
 * Key material in memory: node:crypto KeyObjects, never plain buffers passed around. At rest it
 * is PKCS#8 DER (RSA, EC) or the raw key bytes (oct), sealed by the barrier before it reaches
 * the store (KeyRepository) and sealed under the backup key inside a backup blob.
 */
export type KeyMaterial =
  | { kty: "RSA-HSM"; privateKey: KeyObject; publicKey: KeyObject }
  | { kty: "EC-HSM"; curve: CurveName; privateKey: KeyObject; publicKey: KeyObject }
  | { kty: "oct-HSM"; secret: KeyObject };

/** Key Vault's curve names and OpenSSL's. */
export const OPENSSL_CURVE: Record<CurveName, string> = {
  "P-256": "prime256v1",
  "P-256K": "secp256k1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
};

/** The `crv` node:crypto uses in JWKs (it says secp256k1 where Key Vault says P-256K). */
export const NODE_JWK_CURVE: Record<CurveName, string> = {
  "P-256": "P-256",
  "P-256K": "secp256k1",
  "P-384": "P-384",
  "P-521": "P-521",
};

const CURVE_OF_OPENSSL: Record<string, CurveName> = {
  prime256v1: "P-256",
  secp256k1: "P-256K",
  secp384r1: "P-384",
  secp521r1: "P-521",
};

export function serializeMaterial(material: KeyMaterial): Buffer {
  if (material.kty === "oct-HSM") return material.secret.export();
  return material.privateKey.export({ format: "der", type: "pkcs8" });
}

export function deserializeMaterial(kty: KeyType, bytes: Buffer): KeyMaterial {
  if (kty === "oct-HSM") return { kty, secret: createSecretKey(bytes) };
  const privateKey = createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  if (kty === "RSA-HSM") return { kty, privateKey, publicKey };
  return { kty, curve: curveOf(privateKey), privateKey, publicKey };
}

export function curveOf(key: KeyObject): CurveName {
  const curve = CURVE_OF_OPENSSL[key.asymmetricKeyDetails?.namedCurve ?? ""];
  if (!curve) throw new Error("unsupported curve");
  return curve;
}

/** The public JWK members of the key (n, e / crv, x, y); nothing for oct keys. */
export function publicPartsOf(material: KeyMaterial): PublicKeyParts {
  if (material.kty === "oct-HSM") return {};
  const jwk = material.publicKey.export({ format: "jwk" });
  if (material.kty === "RSA-HSM") return { n: jwk.n as string, e: jwk.e as string };
  return { crv: material.curve, x: jwk.x as string, y: jwk.y as string };
}

export function shapeOf(material: KeyMaterial): KeyShape {
  switch (material.kty) {
    case "RSA-HSM": {
      const details = material.publicKey.asymmetricKeyDetails;
      return {
        kty: "RSA-HSM",
        keySize: details?.modulusLength as number,
        publicExponent: Number(details?.publicExponent),
      };
    }
    case "EC-HSM":
      return { kty: "EC-HSM", curve: material.curve };
    case "oct-HSM":
      return { kty: "oct-HSM", keySize: (material.secret.symmetricKeySize as number) * 8 };
  }
}
