import type { DeletedKey } from "./deleted-key-service.js";
import type { KeyVersion, RotationPolicy, SoftDeleteSettings } from "./key-model.js";

/**
 * Key Vault's JSON shapes for keys (KeyBundle, KeyItem, DeletedKeyBundle, DeletedKeyItem,
 * KeyRotationPolicy). Times become unix seconds; ids are absolute URLs on the host the client
 * used. Private members never appear: the JWK carries the public part only, and oct keys none.
 */
const seconds = (ms: number) => Math.floor(ms / 1000);

export function keyUrl(baseUrl: string, name: string, version?: string): string {
  return `${baseUrl}/keys/${name}${version ? `/${version}` : ""}`;
}

/** Key Vault's recovery levels: "Customized" below the full 90 days, no "+Purgeable" under purge protection. */
export function recoveryLevel(settings: SoftDeleteSettings): string {
  const level = settings.retentionDays < 90 ? "CustomizedRecoverable" : "Recoverable";
  return settings.purgeProtection ? level : `${level}+Purgeable`;
}

/**
 * KeyAttributes as a Managed HSM answers them, the same on every api-version (an attribute a
 * client's version does not know is ignored by it). Of the read-only ones the specs add:
 * - `key_size` (2026-04-01: "the key size in bits for symmetric keys") is given for oct-HSM keys.
 * - `hsmPlatform` (7.5 and later) is left out. The SDKs' live tests check it only against a key
 *   vault, never a Managed HSM (azure-sdk-for-net's KeyClientLiveTests: `!IsManagedHSM &&
 *   >= V7_5`; azure-sdk-for-java's: `!isHsmEnabled`), which points to a Managed HSM not returning
 *   it; and the value names the hardware platform holding the key (tools read "2" as FIPS 140-3
 *   Level 3), which this software HSM must not claim. Absent, the SDKs report it as undefined.
 * - `attestation` is the key-attestation work's; `exportable` is the version's own flag.
 */
function attributesOf(key: KeyVersion, settings: SoftDeleteSettings) {
  const { attributes, shape } = key;
  return {
    enabled: attributes.enabled,
    ...(attributes.notBefore !== null ? { nbf: seconds(attributes.notBefore) } : {}),
    ...(attributes.expires !== null ? { exp: seconds(attributes.expires) } : {}),
    created: seconds(attributes.created),
    updated: seconds(attributes.updated),
    recoveryLevel: recoveryLevel(settings),
    recoverableDays: settings.retentionDays,
    exportable: key.exportable === true,
    ...(shape.kty === "oct-HSM" ? { key_size: shape.keySize } : {}),
  };
}

const tagsOf = (key: KeyVersion) => (Object.keys(key.tags).length > 0 ? { tags: key.tags } : {});

/**
 * The release policy as the service answers it: contentType, the canonical policy as base64url
 * `data`, and `immutable` only when set (the service's answers to SDK tests leave it out for a
 * mutable policy: Azure/azure-sdk-for-js recording ..._releasekey/
 * recording_can_update_a_keys_release_policy.json).
 */
export function releasePolicyOf(key: KeyVersion) {
  const policy = key.releasePolicy;
  if (!policy) return {};
  return {
    release_policy: {
      contentType: policy.contentType,
      data: Buffer.from(policy.policy, "utf8").toString("base64url"),
      ...(policy.immutable ? { immutable: true } : {}),
    },
  };
}

export function toKeyBundle(baseUrl: string, key: KeyVersion, settings: SoftDeleteSettings) {
  return {
    key: {
      kid: keyUrl(baseUrl, key.name, key.version),
      kty: key.shape.kty,
      key_ops: key.keyOps,
      ...key.publicKey,
    },
    attributes: attributesOf(key, settings),
    ...tagsOf(key),
    ...releasePolicyOf(key),
  };
}

/** A list entry: the key's id without a version (list keys) or with it (list versions). */
export function toKeyItem(
  baseUrl: string,
  key: KeyVersion,
  settings: SoftDeleteSettings,
  withVersion: boolean,
) {
  return {
    kid: keyUrl(baseUrl, key.name, withVersion ? key.version : undefined),
    attributes: attributesOf(key, settings),
    ...tagsOf(key),
  };
}

function deletionOf(baseUrl: string, deleted: DeletedKey) {
  return {
    recoveryId: `${baseUrl}/deletedkeys/${deleted.version.name}`,
    deletedDate: seconds(deleted.deletion.deletedAt),
    scheduledPurgeDate: seconds(deleted.deletion.scheduledPurgeAt),
  };
}

export function toDeletedKeyBundle(baseUrl: string, deleted: DeletedKey, settings: SoftDeleteSettings) {
  return { ...toKeyBundle(baseUrl, deleted.version, settings), ...deletionOf(baseUrl, deleted) };
}

export function toDeletedKeyItem(baseUrl: string, deleted: DeletedKey, settings: SoftDeleteSettings) {
  return { ...toKeyItem(baseUrl, deleted.version, settings, false), ...deletionOf(baseUrl, deleted) };
}

export function toRotationPolicy(baseUrl: string, name: string, policy: RotationPolicy | null) {
  const id = `${keyUrl(baseUrl, name)}/rotationpolicy`;
  if (!policy) return { id, lifetimeActions: [], attributes: {} };
  return {
    id,
    lifetimeActions: policy.lifetimeActions.map((action) => ({
      trigger:
        action.timeAfterCreate !== undefined
          ? { timeAfterCreate: action.timeAfterCreate }
          : { timeBeforeExpiry: action.timeBeforeExpiry },
      action: { type: action.type },
    })),
    attributes: {
      ...(policy.expiryTime !== undefined ? { expiryTime: policy.expiryTime } : {}),
      created: seconds(policy.created),
      updated: seconds(policy.updated),
    },
  };
}
