/**
 * The keys domain model as the services see it: no wire shapes, no HTTP. Times are unix
 * milliseconds here; the wire layer turns them into the unix seconds Key Vault speaks.
 */

/** Key types an HSM holds; requests may say RSA, EC or oct, which mean these. */
export type KeyType = "RSA-HSM" | "EC-HSM" | "oct-HSM";

export type CurveName = "P-256" | "P-256K" | "P-384" | "P-521";

/** The JSON web key operations a key can allow (`key_ops`). */
export type KeyOperation = "encrypt" | "decrypt" | "sign" | "verify" | "wrapKey" | "unwrapKey" | "import";

export const KEY_OPERATIONS: readonly KeyOperation[] = [
  "encrypt",
  "decrypt",
  "sign",
  "verify",
  "wrapKey",
  "unwrapKey",
  "import",
];

/** Operations each key type supports, and the default `key_ops` when a request names none. */
export const OPERATIONS_OF_TYPE: Record<KeyType, { allowed: KeyOperation[]; defaults: KeyOperation[] }> = {
  "RSA-HSM": {
    allowed: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import"],
    defaults: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
  },
  "EC-HSM": { allowed: ["sign", "verify", "import"], defaults: ["sign", "verify"] },
  // HMAC (HS256/384/512) needs sign/verify in key_ops, asked for explicitly: an AES key made
  // for wrapping should not silently become a MAC key too.
  "oct-HSM": {
    allowed: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import"],
    defaults: ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
  },
};

/** The shape of a key: what a rotation must reproduce. */
export type KeyShape =
  | { kty: "RSA-HSM"; keySize: number; publicExponent: number }
  | { kty: "EC-HSM"; curve: CurveName }
  | { kty: "oct-HSM"; keySize: number };

/** The public half of a key, as JWK members (base64url); empty for oct keys. */
export interface PublicKeyParts {
  n?: string;
  e?: string;
  crv?: CurveName;
  x?: string;
  y?: string;
}

export interface KeyVersionAttributes {
  enabled: boolean;
  notBefore: number | null;
  expires: number | null;
  created: number;
  updated: number;
}

/** One version of a key, without its private material. */
export interface KeyVersion {
  name: string;
  version: string;
  shape: KeyShape;
  publicKey: PublicKeyParts;
  keyOps: KeyOperation[];
  attributes: KeyVersionAttributes;
  tags: Record<string, string>;
  /** True when the material came from an import, not from this HSM's generator. */
  imported: boolean;
  /** Secure key release: the key may leave the HSM, wrapped to an attested environment. */
  exportable?: boolean;
  /** The rules a release must satisfy (release/release-policy.ts); null or absent: none. */
  releasePolicy?: StoredReleasePolicy | null;
}

/** A key version's release policy as stored: the policy JSON in its canonical form. */
export interface StoredReleasePolicy {
  contentType: string;
  /** Canonical policy JSON (version 1.0.0), as the service hands it back. */
  policy: string;
  immutable: boolean;
}

/** Deletion facts of a soft-deleted key. */
export interface Deletion {
  deletedAt: number;
  scheduledPurgeAt: number;
}

export type RotationActionType = "Rotate" | "Notify";

export interface LifetimeAction {
  type: RotationActionType;
  /** ISO 8601 durations, as the client wrote them (exactly one is set). */
  timeAfterCreate?: string;
  timeBeforeExpiry?: string;
}

export interface RotationPolicy {
  lifetimeActions: LifetimeAction[];
  /** ISO 8601 duration applied as the expiry of each new version. */
  expiryTime?: string;
  created: number;
  updated: number;
}

/** How soft delete behaves on this HSM (configuration). */
export interface SoftDeleteSettings {
  retentionDays: number;
  purgeProtection: boolean;
}
