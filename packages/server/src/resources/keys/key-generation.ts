import { createPublicKey, createSecretKey, generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { EC_CURVE_OIDS, type GeneratedTokenKey, type TokenKeys } from "../../platform/pkcs11/token-keys.js";
import type { KeyMaterial } from "./key-material.js";
import { NODE_JWK_CURVE, OPENSSL_CURVE, isTokenMaterial, shapeOf } from "./key-material.js";
import type { CurveName, KeyShape } from "./key-model.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** New key material of the given shape. Key pairs are generated off the event loop. */
export async function generateKeyMaterial(shape: KeyShape): Promise<KeyMaterial> {
  switch (shape.kty) {
    case "RSA-HSM": {
      const { privateKey, publicKey } = await generateKeyPairAsync("rsa", {
        modulusLength: shape.keySize,
        publicExponent: shape.publicExponent,
      });
      return { kty: "RSA-HSM", privateKey, publicKey };
    }
    case "EC-HSM": {
      const { privateKey, publicKey } = await generateKeyPairAsync("ec", {
        namedCurve: OPENSSL_CURVE[shape.curve],
      });
      return { kty: "EC-HSM", curve: shape.curve, privateKey, publicKey };
    }
    case "oct-HSM":
      return { kty: "oct-HSM", secret: createSecretKey(randomBytes(shape.keySize / 8)) };
  }
}

/**
 * Where a new key version's material comes from: node:crypto (the software backend), or the
 * PKCS#11 token, which generates keys inside itself and takes imported ones in (tokenKeySource).
 * `name` and `version` label the token object.
 */
export interface KeyMaterialSource {
  generate(shape: KeyShape, name: string, version: string): Promise<KeyMaterial>;
  /** Imported material, as this backend keeps it. */
  adopt(material: KeyMaterial, name: string, version: string): Promise<KeyMaterial>;
  /** A version that never reached the store: its token object goes. */
  discard(material: KeyMaterial): Promise<void>;
  /**
   * Whether this backend can release a key (secure key release). A token key is released only
   * by wrapping it inside the token to the target's key, which needs CKM_RSA_AES_KEY_WRAP or an
   * in-token composition of RSA-OAEP and AES key wrap; mhsm does not do that yet (docs/pkcs11.md).
   */
  readonly releasesKeys: boolean;
}

export const SOFTWARE_KEYS: KeyMaterialSource = {
  generate: (shape) => generateKeyMaterial(shape),
  adopt: (material) => Promise.resolve(material),
  discard: () => Promise.resolve(),
  releasesKeys: true,
};

/** CKR_DOMAIN_PARAMS_INVALID, CKR_CURVE_NOT_SUPPORTED: a curve the token does not have. */
const CURVE_REFUSED = new Set([0x130, 0x140]);

export function tokenKeySource(keys: TokenKeys): KeyMaterialSource {
  return {
    async generate(shape, name, version) {
      switch (shape.kty) {
        case "RSA-HSM": {
          const generated = await keys.generateRsa(name, version, shape.keySize, shape.publicExponent);
          return { kty: "RSA-HSM", token: generated.reference, shape, publicKey: publicKeyOf(generated) };
        }
        case "EC-HSM": {
          let generated: GeneratedTokenKey;
          try {
            generated = await keys.generateEc(name, version, EC_CURVE_OIDS[shape.curve]);
          } catch (error) {
            const code = (error as { code?: unknown }).code;
            if (typeof code === "number" && CURVE_REFUSED.has(code)) {
              throw KeyVaultErrors.algorithmNotSupportedByToken(
                shape.curve,
                `CKM_EC_KEY_PAIR_GEN on ${shape.curve}`,
              );
            }
            throw error;
          }
          return {
            kty: "EC-HSM",
            token: generated.reference,
            shape,
            curve: shape.curve,
            publicKey: publicKeyOf(generated, shape.curve),
          };
        }
        case "oct-HSM": {
          const generated = await keys.generateAes(name, version, shape.keySize);
          return { kty: "oct-HSM", token: generated.reference, shape };
        }
      }
    },
    async adopt(material, name, version) {
      if (isTokenMaterial(material)) return material;
      const shape = shapeOf(material);
      if (material.kty === "oct-HSM") {
        const value = material.secret.export();
        try {
          return { kty: "oct-HSM", token: await keys.importKey("AES", name, version, value), shape };
        } finally {
          value.fill(0);
        }
      }
      const pkcs8 = material.privateKey.export({ format: "der", type: "pkcs8" });
      try {
        const kind = material.kty === "RSA-HSM" ? "RSA" : "EC";
        const token = await keys.importKey(kind, name, version, pkcs8);
        if (material.kty === "RSA-HSM")
          return { kty: "RSA-HSM", token, shape, publicKey: material.publicKey };
        return { kty: "EC-HSM", token, shape, curve: material.curve, publicKey: material.publicKey };
      } finally {
        pkcs8.fill(0);
      }
    },
    async discard(material) {
      if (isTokenMaterial(material)) await keys.destroy(material.token);
    },
    releasesKeys: false,
  };
}

/** The public key from the parts the token gave: RSA (n, e) or the EC point (DER OCTET STRING of 04|X|Y). */
function publicKeyOf(generated: GeneratedTokenKey, curve?: CurveName) {
  const parts = generated.publicParts;
  if (parts && "modulus" in parts) {
    return createPublicKey({
      key: {
        kty: "RSA",
        n: parts.modulus.toString("base64url"),
        e: parts.publicExponent.toString("base64url"),
      },
      format: "jwk",
    });
  }
  const der = (parts as { ecPoint: Buffer }).ecPoint;
  // OCTET STRING: tag 0x04, then a short or one-byte long (0x81) length.
  const point =
    der[0] === 0x04 && der[1] === 0x81
      ? der.subarray(3)
      : der[0] === 0x04 && der[1] === der.length - 2
        ? der.subarray(2)
        : der;
  const size = (point.length - 1) / 2;
  return createPublicKey({
    key: {
      kty: "EC",
      crv: NODE_JWK_CURVE[curve as CurveName],
      x: point.subarray(1, 1 + size).toString("base64url"),
      y: point.subarray(1 + size).toString("base64url"),
    },
    format: "jwk",
  });
}
