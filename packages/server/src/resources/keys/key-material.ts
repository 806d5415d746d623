import { type KeyObject, createPrivateKey, createPublicKey, createSecretKey } from "node:crypto";
import type { TokenKeyReference } from "../../platform/pkcs11/token-keys.js";
import type { CurveName, KeyShape, KeyType, PublicKeyParts } from "./key-model.js";

/**
 * Key material in memory: node:crypto KeyObjects, never plain buffers passed around. At rest it
 * is PKCS#8 DER (RSA, EC) or the raw key bytes (oct), sealed by the barrier before it reaches
 * the store (KeyRepository) and sealed under the backup key inside a backup blob.
 */
export type KeyMaterial = SoftwareKeyMaterial | TokenKeyMaterial;

export type SoftwareKeyMaterial =
  | { kty: "RSA-HSM"; privateKey: KeyObject; publicKey: KeyObject; token?: undefined }
  | { kty: "EC-HSM"; curve: CurveName; privateKey: KeyObject; publicKey: KeyObject; token?: undefined }
  | { kty: "oct-HSM"; secret: KeyObject; token?: undefined };

/**
 * A key that lives in the PKCS#11 token (--hsm-backend pkcs11): the process holds its public
 * key and the reference to the token object, never its private or secret value. At rest it is
 * the reference with the key wrapped by the token under the domain wrapping key (token-keys.ts),
 * sealed by the barrier like any material, so backups carry it as they carry any material.
 */
export type TokenKeyMaterial =
  | { kty: "RSA-HSM"; token: TokenKeyReference; shape: KeyShape; publicKey: KeyObject }
  | { kty: "EC-HSM"; token: TokenKeyReference; shape: KeyShape; curve: CurveName; publicKey: KeyObject }
  | { kty: "oct-HSM"; token: TokenKeyReference; shape: KeyShape };

export function isTokenMaterial(material: KeyMaterial): material is TokenKeyMaterial {
  return material.token !== undefined;
}

/** What a token key's stored material starts with (PKCS#8 DER starts 0x30; AES keys are 16-32 random bytes). */
const TOKEN_MATERIAL_MAGIC = Buffer.from("mhsm-pkcs11-key v1\n", "utf8");

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
  if (isTokenMaterial(material)) {
    const { kind, label, id, wrapped } = material.token;
    const publicKey = material.kty === "oct-HSM" ? undefined : material.publicKey.export({ format: "jwk" });
    const record = { kind, label, id, wrapped: wrapped.toString("base64"), shape: material.shape, publicKey };
    return Buffer.concat([TOKEN_MATERIAL_MAGIC, Buffer.from(JSON.stringify(record), "utf8")]);
  }
  if (material.kty === "oct-HSM") return material.secret.export();
  return material.privateKey.export({ format: "der", type: "pkcs8" });
}

export function deserializeMaterial(kty: KeyType, bytes: Buffer): KeyMaterial {
  if (isTokenRecord(kty, bytes)) return tokenMaterialOf(kty, bytes);
  if (kty === "oct-HSM") return { kty, secret: createSecretKey(bytes) };
  const privateKey = createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  if (kty === "RSA-HSM") return { kty, privateKey, publicKey };
  return { kty, curve: curveOf(privateKey), privateKey, publicKey };
}

/** An AES key of 32 bytes could start with the magic by chance only if its kty said so and it were 19+ bytes of it. */
/** Whether stored material is a token key's record (a reference and its token-wrapped form). */
export function isTokenRecord(kty: KeyType, bytes: Buffer): boolean {
  return (
    bytes.length > TOKEN_MATERIAL_MAGIC.length + 2 &&
    bytes.subarray(0, TOKEN_MATERIAL_MAGIC.length).equals(TOKEN_MATERIAL_MAGIC) &&
    // Every oct key is 16, 24 or 32 bytes; a token record is longer than any.
    (kty !== "oct-HSM" || bytes.length > 32)
  );
}

function tokenMaterialOf(kty: KeyType, bytes: Buffer): TokenKeyMaterial {
  const record = JSON.parse(bytes.subarray(TOKEN_MATERIAL_MAGIC.length).toString("utf8")) as {
    kind: TokenKeyReference["kind"];
    label: string;
    id: string;
    wrapped: string;
    shape: KeyShape;
    publicKey?: Record<string, string>;
  };
  const token = {
    kind: record.kind,
    label: record.label,
    id: record.id,
    wrapped: Buffer.from(record.wrapped, "base64"),
  };
  if (kty === "oct-HSM") return { kty, token, shape: record.shape };
  const publicKey = createPublicKey({ key: record.publicKey as never, format: "jwk" });
  if (kty === "RSA-HSM") return { kty, token, shape: record.shape, publicKey };
  return { kty, token, shape: record.shape, curve: curveOf(publicKey), publicKey };
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
  if (isTokenMaterial(material)) return material.shape;
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
