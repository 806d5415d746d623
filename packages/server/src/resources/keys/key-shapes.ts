import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { CurveName, KeyShape, KeyType } from "./key-model.js";

/** The key types, sizes and curves an HSM key can have, and what create requests may say. */
export const RSA_KEY_SIZES: readonly number[] = [2048, 3072, 4096];
export const AES_KEY_SIZES: readonly number[] = [128, 192, 256];
export const CURVES: readonly CurveName[] = ["P-256", "P-256K", "P-384", "P-521"];

const TYPE_ALIASES: Record<string, KeyType> = {
  RSA: "RSA-HSM",
  "RSA-HSM": "RSA-HSM",
  EC: "EC-HSM",
  "EC-HSM": "EC-HSM",
  oct: "oct-HSM",
  "oct-HSM": "oct-HSM",
  // A Managed HSM takes "AES" too (createKey(name, "AES", { keySize: 256 })) and makes an oct-HSM key.
  AES: "oct-HSM",
};

/** Requests may say RSA, EC, oct or AES: on an HSM every key is the -HSM type. */
export function normalizeKeyType(kty: unknown, field: string): KeyType {
  const type = typeof kty === "string" ? TYPE_ALIASES[kty] : undefined;
  if (!type) {
    throw KeyVaultErrors.badParameter(
      `${field} '${String(kty).slice(0, 20)}' is not a key type this HSM holds; use RSA-HSM, EC-HSM or oct-HSM (or RSA, EC, oct, AES).`,
    );
  }
  return type;
}

export interface CreateShapeInput {
  kty?: unknown;
  key_size?: number | null;
  public_exponent?: number | null;
  crv?: string | null;
}

/** The shape a create request asks for, with Key Vault's defaults (RSA 2048 / 65537, P-256, AES-256). */
export function shapeFromCreateRequest(input: CreateShapeInput): KeyShape {
  const kty = normalizeKeyType(input.kty, "kty");
  const keySize = input.key_size ?? undefined;
  const exponent = input.public_exponent ?? undefined;
  const crv = input.crv ?? undefined;
  if (kty !== "RSA-HSM" && exponent !== undefined) {
    throw KeyVaultErrors.badParameter("public_exponent applies to RSA keys only.");
  }
  if (kty !== "EC-HSM" && crv !== undefined)
    throw KeyVaultErrors.badParameter("crv applies to EC keys only.");
  switch (kty) {
    case "RSA-HSM": {
      const size = keySize ?? 2048;
      if (!RSA_KEY_SIZES.includes(size)) {
        throw KeyVaultErrors.badParameter(
          `key_size ${size} is not valid for RSA-HSM; use ${RSA_KEY_SIZES.join(", ")}.`,
        );
      }
      const publicExponent = exponent ?? 65537;
      // OpenSSL takes any odd exponent of at least 3; 65537 is the one to use.
      if (
        !Number.isSafeInteger(publicExponent) ||
        publicExponent < 3 ||
        publicExponent % 2 === 0 ||
        publicExponent > 0xffffffff
      ) {
        throw KeyVaultErrors.badParameter(
          `public_exponent ${publicExponent} is not valid; use an odd number of at least 3, such as 65537.`,
        );
      }
      return { kty, keySize: size, publicExponent };
    }
    case "EC-HSM": {
      if (keySize !== undefined)
        throw KeyVaultErrors.badParameter("key_size does not apply to EC keys; name the curve (crv).");
      const curve = (crv ?? "P-256") as CurveName;
      if (!CURVES.includes(curve)) {
        throw KeyVaultErrors.badParameter(
          `crv '${String(crv).slice(0, 20)}' is not valid; use ${CURVES.join(", ")}.`,
        );
      }
      return { kty, curve };
    }
    case "oct-HSM": {
      const size = keySize ?? 256;
      if (!AES_KEY_SIZES.includes(size)) {
        throw KeyVaultErrors.badParameter(
          `key_size ${size} is not valid for oct-HSM; use ${AES_KEY_SIZES.join(", ")}.`,
        );
      }
      return { kty, keySize: size };
    }
  }
}
