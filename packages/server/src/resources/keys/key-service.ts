import { randomBytes } from "node:crypto";
import type { KeyStore } from "./key-repository.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { type KeyMaterialSource, SOFTWARE_KEYS } from "./key-generation.js";
import { type KeyMaterial, publicPartsOf, serializeMaterial, shapeOf } from "./key-material.js";
import type { KeyShape, KeyVersion, RotationPolicy } from "./key-model.js";
import {
  type KeyPropertiesInput,
  checkValidityWindow,
  validateKeyOps,
  validateTags,
} from "./key-properties.js";
import type { KeyLookup } from "./key-lookup.js";
import type { SealedKeyVersion } from "./key-repository.js";
import {
  readReleasePolicy,
  releaseSettingsForNewVersion,
  releaseSettingsForUpdate,
} from "./release/release-settings.js";
import { type RotationPolicyInput, expiryForNewVersion, validateRotationPolicy } from "./rotation-policy.js";

/** Key versions are 32 lower-case hex characters, as Key Vault's are. */
export const newVersionId = () => randomBytes(16).toString("hex");

/**
 * The lifecycle of live keys: create, import, read, update, rotate, and rotation policies.
 * Soft delete, recovery and purge are DeletedKeyService's; crypto is KeyCryptoService's.
 */
export class KeyService {
  constructor(
    private readonly store: KeyStore,
    private readonly lookup: KeyLookup,
    private readonly clock: () => number = Date.now,
    private readonly newVersion: () => string = newVersionId,
    /** node:crypto, or the PKCS#11 token (--hsm-backend pkcs11). */
    private readonly source: KeyMaterialSource = SOFTWARE_KEYS,
  ) {}

  async create(name: string, shape: KeyShape, properties: KeyPropertiesInput): Promise<KeyVersion> {
    this.checkProperties(shape.kty, properties);
    // Generated before the transaction: an RSA-4096 key takes a while and must not hold the store.
    const versionId = this.newVersion();
    const material = await this.source.generate(shape, name, versionId);
    return this.addVersion(name, material, properties, false, versionId);
  }

  async import(name: string, material: KeyMaterial, properties: KeyPropertiesInput): Promise<KeyVersion> {
    this.checkProperties(material.kty, properties);
    const versionId = this.newVersion();
    return this.addVersion(
      name,
      await this.source.adopt(material, name, versionId),
      properties,
      true,
      versionId,
    );
  }

  /** A version of a live key: the current one unless `version` is given. */
  async get(name: string, version?: string): Promise<SealedKeyVersion> {
    const found = await this.lookup.get(name, version || undefined);
    if (!found || found.key.deletion) throw KeyVaultErrors.keyNotFound(name, version);
    return found.version;
  }

  /** Up to `limit` live keys (their current versions) whose names come after `after`, by name. */
  async list(after: string | undefined, limit: number): Promise<KeyVersion[]> {
    const rows = await this.store.keys.listPage(false, after, limit);
    return rows.map((row) => row.version);
  }

  /** Up to `limit` versions of a live key after `after`, oldest first. */
  async listVersions(
    name: string,
    after: { created: number; version: string } | undefined,
    limit: number,
  ): Promise<KeyVersion[]> {
    const key = await this.store.keys.getKey(name);
    if (!key || key.deletion) throw KeyVaultErrors.keyNotFound(name);
    return this.store.keys.listVersionsPage(name, after, limit);
  }

  /** Changes what is given of key_ops, enabled, nbf, exp, tags and release policy on one version. */
  async update(
    name: string,
    version: string | undefined,
    properties: KeyPropertiesInput,
  ): Promise<KeyVersion> {
    // A malformed policy is refused before the transaction.
    readReleasePolicy(properties.releasePolicy);
    return this.changing(name, async (tx) => {
      const found = await tx.keys.getWithVersion(name, version || undefined);
      if (!found || found.key.deletion) throw KeyVaultErrors.keyNotFound(name, version);
      const current = found.version.version;
      const keyOps =
        properties.keyOps === undefined
          ? current.keyOps
          : validateKeyOps(current.shape.kty, properties.keyOps);
      const notBefore =
        properties.notBefore === undefined ? current.attributes.notBefore : properties.notBefore;
      const expires = properties.expires === undefined ? current.attributes.expires : properties.expires;
      checkValidityWindow(notBefore, expires);
      const releasePolicy = releaseSettingsForUpdate(properties, current);
      const patch = {
        ...(releasePolicy !== undefined ? { releasePolicy } : {}),
        keyOps,
        tags: validateTags(properties.tags) ?? current.tags,
        enabled: properties.enabled ?? current.attributes.enabled,
        notBefore,
        expires,
        updated: this.clock(),
      };
      await tx.keys.updateVersion(name, current.version, patch);
      return {
        ...current,
        keyOps: patch.keyOps,
        tags: patch.tags,
        releasePolicy: releasePolicy !== undefined ? releasePolicy : (current.releasePolicy ?? null),
        attributes: {
          ...current.attributes,
          enabled: patch.enabled,
          notBefore: patch.notBefore,
          expires: patch.expires,
          updated: patch.updated,
        },
      };
    });
  }

  /**
   * A new version of the same shape, with the current version's key_ops and tags and the
   * policy's expiry. With `onlyIfCurrent`, nothing happens when another rotation got there first.
   */
  async rotate(name: string, onlyIfCurrent?: string): Promise<KeyVersion | undefined> {
    const found = await this.store.keys.getWithVersion(name, undefined);
    if (!found || found.key.deletion) throw KeyVaultErrors.keyNotFound(name);
    const current = found.version.version;
    if (onlyIfCurrent !== undefined && current.version !== onlyIfCurrent) return undefined;
    const versionId = this.newVersion();
    const material = await this.source.generate(current.shape, name, versionId);
    // The new version is exportable when the current one is, under the same release policy.
    const properties = {
      keyOps: current.keyOps,
      tags: current.tags,
      expires: expiryForNewVersion(found.key.rotationPolicy, this.clock()),
      ...(current.exportable ? { exportable: true } : {}),
    };
    return this.tryAddVersion(name, material, properties, false, onlyIfCurrent, versionId);
  }

  async getRotationPolicy(name: string): Promise<RotationPolicy | null> {
    const key = await this.store.keys.getKey(name);
    if (!key || key.deletion) throw KeyVaultErrors.keyNotFound(name);
    return key.rotationPolicy;
  }

  async setRotationPolicy(name: string, input: RotationPolicyInput): Promise<RotationPolicy> {
    const validated = validateRotationPolicy(input);
    return this.changing(name, async (tx) => {
      const key = await tx.keys.getKey(name);
      if (!key || key.deletion) throw KeyVaultErrors.keyNotFound(name);
      const now = this.clock();
      const policy: RotationPolicy = {
        ...validated,
        created: key.rotationPolicy?.created ?? now,
        updated: now,
      };
      await tx.keys.setRotationPolicy(name, policy);
      return policy;
    });
  }

  /** A write transaction on one key; its cached reads are dropped once it has committed (or failed). */
  private async changing<T>(name: string, work: (tx: KeyStore) => Promise<T>): Promise<T> {
    try {
      return await this.store.transaction(work);
    } finally {
      this.lookup.invalidate(name);
    }
  }

  private checkProperties(kty: KeyShape["kty"], properties: KeyPropertiesInput): void {
    if (properties.exportable === true && !this.source.releasesKeys) {
      throw KeyVaultErrors.exportableKeysUnavailableOnToken();
    }
    // A malformed policy, or one on a key that is not exportable, is refused before any work.
    if (readReleasePolicy(properties.releasePolicy) && properties.exportable !== true) {
      releaseSettingsForNewVersion(properties, undefined);
    }
    validateKeyOps(kty, properties.keyOps);
    validateTags(properties.tags);
    checkValidityWindow(properties.notBefore ?? null, properties.expires ?? null);
  }

  private async addVersion(
    name: string,
    material: KeyMaterial,
    properties: KeyPropertiesInput,
    imported: boolean,
    versionId: string,
  ): Promise<KeyVersion> {
    const added = await this.tryAddVersion(name, material, properties, imported, undefined, versionId);
    return added as KeyVersion;
  }

  /** Adds a version; with `replacing`, only while that version is still the current one. */
  private async tryAddVersion(
    name: string,
    material: KeyMaterial,
    properties: KeyPropertiesInput,
    imported: boolean,
    replacing: string | undefined,
    versionId: string,
  ): Promise<KeyVersion | undefined> {
    const shape = shapeOf(material);
    const now = this.clock();
    let version: KeyVersion = {
      name,
      version: versionId,
      shape,
      publicKey: publicPartsOf(material),
      keyOps: validateKeyOps(shape.kty, properties.keyOps),
      attributes: {
        enabled: properties.enabled ?? true,
        notBefore: properties.notBefore ?? null,
        expires: properties.expires ?? null,
        created: now,
        updated: now,
      },
      tags: validateTags(properties.tags) ?? {},
      imported,
    };
    const serialized = serializeMaterial(material);
    try {
      const added = await this.changing(name, async (tx) => {
        const key = await tx.keys.getKey(name);
        if (key?.deletion) throw KeyVaultErrors.keyNameHeldByDeletedKey(name);
        // A scheduled rotation that lost a race with another one adds nothing.
        if (replacing !== undefined && key?.currentVersion !== replacing) return false;
        // A new version of an existing key carries the key's own spelling of its name.
        if (key) version = { ...version, name: key.name };
        const current = key ? (await tx.keys.getVersion(key.name, key.currentVersion))?.version : undefined;
        version = { ...version, ...releaseSettingsForNewVersion(properties, current) };
        await tx.keys.insertVersion(version, serialized);
        if (key) await tx.keys.setCurrentVersion(name, version.version);
        else await tx.keys.insertKey(name, version.version, now);
        return true;
      });
      if (!added) await this.source.discard(material);
      return added ? version : undefined;
    } catch (error) {
      // The version never reached the store: its token object must not outlive it.
      await this.source.discard(material).catch(() => undefined);
      throw error;
    } finally {
      serialized.fill(0);
    }
  }
}
