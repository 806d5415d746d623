import {
  type KeyObject,
  constants,
  createPublicKey,
  createSecretKey,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import { aesWrap } from "../crypto/aes-key-wrap.js";

/**
 * The key-export encryption of a secure key release (the `enc` of a release request): an
 * ephemeral AES-256 key encrypted with RSA-OAEP under the target's runtime key, followed by the
 * key itself wrapped under that AES key with RFC 5649 (AES key wrap with padding). The OAEP hash
 * is SHA-1 for CKM_RSA_AES_KEY_WRAP, SHA-256 and SHA-384 for the other two (the unwrap of
 * microsoft/confidential-sidecar-containers pkg/skr/akv.go, rsaAESKeyUnwrap, reads it so).
 */
export const EXPORT_ENCRYPTIONS = {
  CKM_RSA_AES_KEY_WRAP: "sha1",
  RSA_AES_KEY_WRAP_256: "sha256",
  RSA_AES_KEY_WRAP_384: "sha384",
} as const;
export type ExportEncryption = keyof typeof EXPORT_ENCRYPTIONS;
export const DEFAULT_EXPORT_ENCRYPTION: ExportEncryption = "CKM_RSA_AES_KEY_WRAP";

export function exportEncryptionOf(enc: string | null | undefined): ExportEncryption {
  if (enc === undefined || enc === null) return DEFAULT_EXPORT_ENCRYPTION;
  if (!Object.hasOwn(EXPORT_ENCRYPTIONS, enc)) {
    throw KeyVaultErrors.badParameter(
      `enc '${enc.slice(0, 40)}' is not a key export encryption; use ${Object.keys(EXPORT_ENCRYPTIONS).join(", ")}.`,
    );
  }
  return enc as ExportEncryption;
}

/** The environment's public key the released key is wrapped to (from the token's x-ms-runtime). */
export interface RuntimeKey {
  kid: string;
  key: KeyObject;
}

const MIN_RUNTIME_KEY_BITS = 2048;

/**
 * The runtime key of an attestation token: the first RSA key under `x-ms-runtime.keys` meant
 * for encryption (no `use`, or "enc"; no `key_ops`, or one with "encrypt"), as Microsoft Azure
 * Attestation puts a confidential VM's TpmEphemeralEncryptionKey and the SDK test service its
 * fake-release-key.
 */
export function runtimeKeyOf(claims: Record<string, unknown>): RuntimeKey {
  const runtime = claims["x-ms-runtime"];
  const keys =
    typeof runtime === "object" && runtime !== null ? (runtime as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw noRuntimeKey("the token has no x-ms-runtime.keys");
  }
  const candidate = keys.find(
    (jwk): jwk is Record<string, unknown> =>
      typeof jwk === "object" &&
      jwk !== null &&
      (jwk as { kty?: unknown }).kty === "RSA" &&
      ((jwk as { use?: unknown }).use === undefined || (jwk as { use?: unknown }).use === "enc") &&
      (!Array.isArray((jwk as { key_ops?: unknown }).key_ops) ||
        ((jwk as { key_ops: unknown[] }).key_ops as unknown[]).includes("encrypt")),
  );
  if (!candidate) throw noRuntimeKey("x-ms-runtime.keys has no RSA encryption key (kty RSA)");
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: "RSA", n: String(candidate.n ?? ""), e: String(candidate.e ?? "") },
      format: "jwk",
    });
  } catch {
    throw noRuntimeKey("its RSA key is not a valid JWK (n, e base64url)");
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RUNTIME_KEY_BITS) {
    throw noRuntimeKey(`its RSA key has ${bits} bits; at least ${MIN_RUNTIME_KEY_BITS} are needed`);
  }
  return { kid: typeof candidate.kid === "string" ? candidate.kid : "", key };
}

/**
 * `key_hsm`: base64url of {"ciphertext", "header": {"alg": "dir", "enc", "kid"},
 * "schema_version": "1.0"}, the member order of a real Managed HSM's release answer.
 * `material` is the key as PKCS#8 DER (RSA, EC) or its raw bytes (oct).
 */
export function keyHsmFor(material: Buffer, target: RuntimeKey, enc: ExportEncryption): string {
  const aesKey = randomBytes(32);
  try {
    const encryptedKek = publicEncrypt(
      { key: target.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: EXPORT_ENCRYPTIONS[enc] },
      aesKey,
    );
    const wrapped = aesWrap(createSecretKey(aesKey), material, true);
    const blob = {
      ciphertext: Buffer.concat([encryptedKek, wrapped]).toString("base64url"),
      header: { alg: "dir", enc, kid: target.kid },
      schema_version: "1.0",
    };
    return Buffer.from(JSON.stringify(blob), "utf8").toString("base64url");
  } finally {
    aesKey.fill(0);
  }
}

const noRuntimeKey = (why: string) =>
  KeyVaultErrors.badParameter(
    `The target attestation token names no key to release to: ${why}. No key material was released.`,
  );
