import type { Store } from "../../platform/store/store.js";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Barrier, Sealed } from "../../platform/barrier/barrier.js";
import type { Database, KeyTable, KeyVersionTable } from "../../platform/store/schema.js";
import { inCodePointOrder } from "../../platform/store/text-order.js";
import type {
  Deletion,
  KeyOperation,
  KeyShape,
  KeyVersion,
  PublicKeyParts,
  RotationPolicy,
  StoredReleasePolicy,
} from "./key-model.js";

/** A key name's row: which version is current, whether it is soft-deleted, its rotation policy. */
export interface KeyRecord {
  name: string;
  currentVersion: string;
  createdAt: number;
  deletion: Deletion | null;
  rotationPolicy: RotationPolicy | null;
}

/** A version with its material still sealed: opened only when an operation needs it. */
export interface SealedKeyVersion {
  version: KeyVersion;
  materialSealed: string;
}

export type KeyVersionPatch = Pick<KeyVersion, "keyOps" | "tags"> & {
  enabled: boolean;
  notBefore: number | null;
  expires: number | null;
  updated: number;
  /** Absent: unchanged. */
  releasePolicy?: StoredReleasePolicy | null;
};

/**
 * Keys and their versions. Private material is sealed with the barrier, bound to the key's
 * name and version, on the way in; it is opened only through `openMaterial`.
 *
 * Names are case-insensitive, as Key Vault's are: a key keeps the spelling it was created with,
 * every lookup compares lower case (`lower(name)` is indexed, and unique for keys), and every
 * version row carries the key's own spelling, so joins compare names exactly.
 */
export class KeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
  ) {}

  async getKey(name: string): Promise<KeyRecord | undefined> {
    const row = await this.db.selectFrom("keys").selectAll().where(named(name)).executeTakeFirst();
    return row && toKeyRecord(row);
  }

  async getVersion(name: string, version: string): Promise<SealedKeyVersion | undefined> {
    const row = await this.db
      .selectFrom("key_versions")
      .selectAll()
      .where(named(name))
      .where("version", "=", version)
      .executeTakeFirst();
    return row && toSealedVersion(row);
  }

  /** The key's record and a version (its current one unless named), in one query. */
  async getWithVersion(
    name: string,
    version: string | undefined,
  ): Promise<{ key: KeyRecord; version: SealedKeyVersion } | undefined> {
    const row = await this.db
      .selectFrom("keys")
      .innerJoin("key_versions", (join) =>
        join
          .onRef("key_versions.name", "=", "keys.name")
          .on((eb) =>
            version === undefined
              ? eb("key_versions.version", "=", eb.ref("keys.current_version"))
              : eb("key_versions.version", "=", version),
          ),
      )
      .selectAll("key_versions")
      .select([
        "keys.current_version",
        "keys.created_at as key_created_at",
        "keys.deleted_at",
        "keys.scheduled_purge_at",
        "keys.rotation_policy",
      ])
      .where(named(name, "keys.name"))
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      key: toKeyRecord({
        name: row.name,
        current_version: row.current_version,
        created_at: row.key_created_at,
        deleted_at: row.deleted_at,
        scheduled_purge_at: row.scheduled_purge_at,
        rotation_policy: row.rotation_policy,
      }),
      version: toSealedVersion(row),
    };
  }

  /**
   * One page of keys with their current versions, deleted ones or live ones: the `limit` keys
   * whose names (as spelled) come after `after`, in code-point order (a keyset query on the
   * primary key's order; text-order.ts says why the order is spelled out).
   */
  async listPage(
    deleted: boolean,
    after: string | undefined,
    limit: number,
  ): Promise<Array<{ key: KeyRecord; version: KeyVersion }>> {
    const name = inCodePointOrder(this.db, sql.ref<string>("keys.name"));
    let query = this.db
      .selectFrom("keys")
      .innerJoin("key_versions", (join) =>
        join
          .onRef("key_versions.name", "=", "keys.name")
          .onRef("key_versions.version", "=", "keys.current_version"),
      )
      .selectAll("key_versions")
      .select([
        "keys.current_version",
        "keys.created_at as key_created_at",
        "keys.deleted_at",
        "keys.scheduled_purge_at",
        "keys.rotation_policy",
      ])
      .where("keys.deleted_at", deleted ? "is not" : "is", null);
    if (after !== undefined) query = query.where(name, ">", after);
    const rows = await query.orderBy(name).limit(limit).execute();
    return rows.map((row) => ({
      key: toKeyRecord({
        name: row.name,
        current_version: row.current_version,
        created_at: row.key_created_at,
        deleted_at: row.deleted_at,
        scheduled_purge_at: row.scheduled_purge_at,
        rotation_policy: row.rotation_policy,
      }),
      version: toKeyVersion(row),
    }));
  }

  /**
   * One page of a key's versions, oldest first: the `limit` versions after `after` in the order
   * (created, version), read off the index of (lower(name), created_at, version).
   */
  async listVersionsPage(
    name: string,
    after: { created: number; version: string } | undefined,
    limit: number,
  ): Promise<KeyVersion[]> {
    const version = inCodePointOrder(this.db, sql.ref<string>("version"));
    let query = this.db.selectFrom("key_versions").selectAll().where(named(name));
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("created_at", ">", after.created),
          eb.and([eb("created_at", "=", after.created), eb(version, ">", after.version)]),
        ]),
      );
    }
    const rows = await query.orderBy("created_at").orderBy(version).limit(limit).execute();
    return rows.map(toKeyVersion);
  }

  /** Versions of a key, oldest first. */
  async listVersions(name: string): Promise<SealedKeyVersion[]> {
    const rows = await this.db
      .selectFrom("key_versions")
      .selectAll()
      .where(named(name))
      .orderBy("created_at")
      .orderBy("version")
      .execute();
    return rows.map(toSealedVersion);
  }

  async insertKey(name: string, currentVersion: string, createdAt: number): Promise<void> {
    await this.db
      .insertInto("keys")
      .values({
        name,
        current_version: currentVersion,
        created_at: createdAt,
        deleted_at: null,
        scheduled_purge_at: null,
        rotation_policy: null,
        near_expiry_notified_version: null,
      })
      .execute();
  }

  async setCurrentVersion(name: string, version: string): Promise<void> {
    await this.db.updateTable("keys").set({ current_version: version }).where(named(name)).execute();
  }

  async insertVersion(version: KeyVersion, material: Buffer): Promise<void> {
    await this.insertSealedVersion(version, this.barrier.seal(material, materialIdentity(version)));
  }

  private async insertSealedVersion(version: KeyVersion, materialSealed: Sealed): Promise<void> {
    await this.db
      .insertInto("key_versions")
      .values({
        name: version.name,
        version: version.version,
        kty: version.shape.kty,
        shape: JSON.stringify(version.shape),
        public_key: JSON.stringify(version.publicKey),
        material_sealed: materialSealed,
        key_ops: JSON.stringify(version.keyOps),
        enabled: version.attributes.enabled ? 1 : 0,
        not_before: version.attributes.notBefore,
        expires: version.attributes.expires,
        created_at: version.attributes.created,
        updated_at: version.attributes.updated,
        tags: JSON.stringify(version.tags),
        imported: version.imported ? 1 : 0,
        exportable: version.exportable ? 1 : 0,
        release_policy: version.releasePolicy ? JSON.stringify(version.releasePolicy) : null,
      })
      .execute();
  }

  async updateVersion(name: string, version: string, patch: KeyVersionPatch): Promise<void> {
    await this.db
      .updateTable("key_versions")
      .set({
        key_ops: JSON.stringify(patch.keyOps),
        tags: JSON.stringify(patch.tags),
        enabled: patch.enabled ? 1 : 0,
        not_before: patch.notBefore,
        expires: patch.expires,
        updated_at: patch.updated,
        ...(patch.releasePolicy !== undefined
          ? { release_policy: patch.releasePolicy ? JSON.stringify(patch.releasePolicy) : null }
          : {}),
      })
      .where(named(name))
      .where("version", "=", version)
      .execute();
  }

  async setDeletion(name: string, deletion: Deletion | null): Promise<void> {
    await this.db
      .updateTable("keys")
      .set({
        deleted_at: deletion?.deletedAt ?? null,
        scheduled_purge_at: deletion?.scheduledPurgeAt ?? null,
      })
      .where(named(name))
      .execute();
  }

  async setRotationPolicy(name: string, policy: RotationPolicy): Promise<void> {
    await this.db
      .updateTable("keys")
      .set({ rotation_policy: JSON.stringify(policy) })
      .where(named(name))
      .execute();
  }

  /**
   * Takes the duty of giving the near-expiry notice for this version: true for exactly one
   * caller (one node, one maintenance run) until `releaseNearExpiryNotice` hands it back.
   */
  async claimNearExpiryNotice(name: string, version: string): Promise<boolean> {
    const result = await this.db
      .updateTable("keys")
      .set({ near_expiry_notified_version: version })
      .where(named(name))
      .where("current_version", "=", version)
      .where((eb) =>
        eb.or([
          eb("near_expiry_notified_version", "is", null),
          eb("near_expiry_notified_version", "<>", version),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** After a notice could not be delivered: the next maintenance run tries again. */
  async releaseNearExpiryNotice(name: string, version: string): Promise<void> {
    await this.db
      .updateTable("keys")
      .set({ near_expiry_notified_version: null })
      .where(named(name))
      .where("near_expiry_notified_version", "=", version)
      .execute();
  }

  /** Live keys that have a rotation policy (the maintenance loop decides which are due). */
  async listWithRotationPolicy(): Promise<KeyRecord[]> {
    const rows = await this.db
      .selectFrom("keys")
      .selectAll()
      .where("rotation_policy", "is not", null)
      .where("deleted_at", "is", null)
      .orderBy("name")
      .execute();
    return rows.map(toKeyRecord);
  }

  /** Names of soft-deleted keys whose retention ended at or before `now`. */
  async listPurgeDue(now: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("keys")
      .select("name")
      .where("scheduled_purge_at", "is not", null)
      .where("scheduled_purge_at", "<=", now)
      .orderBy("name")
      .execute();
    return rows.map((row) => row.name);
  }

  /** Removes a key and every version of it, for good. */
  async purge(name: string): Promise<void> {
    await this.db.deleteFrom("key_versions").where(named(name)).execute();
    await this.db.deleteFrom("keys").where(named(name)).execute();
  }

  openMaterial(version: Pick<KeyVersion, "name" | "version">, materialSealed: string): Buffer {
    return this.barrier.open(materialSealed, materialIdentity(version));
  }
}

/** `lower(name) = lower(given)`: the indexed, case-insensitive name comparison. */
export function named(name: string, column: "name" | "keys.name" = "name") {
  return <Table extends keyof Database>(eb: ExpressionBuilder<Database, Table>) =>
    eb(sql<string>`lower(${sql.ref(column)})`, "=", name.toLowerCase());
}

/** The barrier's additional data: sealed material copied onto another key or version fails to open. */
const materialIdentity = (version: Pick<KeyVersion, "name" | "version">) =>
  `keys/${version.name}/${version.version}/material`;

const optionalNumber = (value: number | string | null) => (value === null ? null : Number(value));

function toKeyRecord(row: Omit<KeyTable, "near_expiry_notified_version">): KeyRecord {
  const deletedAt = optionalNumber(row.deleted_at);
  return {
    name: row.name,
    currentVersion: row.current_version,
    createdAt: Number(row.created_at),
    deletion: deletedAt === null ? null : { deletedAt, scheduledPurgeAt: Number(row.scheduled_purge_at) },
    rotationPolicy: row.rotation_policy ? (JSON.parse(row.rotation_policy) as RotationPolicy) : null,
  };
}

function toKeyVersion(row: KeyVersionTable): KeyVersion {
  return {
    name: row.name,
    version: row.version,
    shape: JSON.parse(row.shape) as KeyShape,
    publicKey: JSON.parse(row.public_key) as PublicKeyParts,
    keyOps: JSON.parse(row.key_ops) as KeyOperation[],
    attributes: {
      enabled: Number(row.enabled) === 1,
      notBefore: optionalNumber(row.not_before),
      expires: optionalNumber(row.expires),
      created: Number(row.created_at),
      updated: Number(row.updated_at),
    },
    tags: JSON.parse(row.tags) as Record<string, string>,
    imported: Number(row.imported) === 1,
    // Rows restored from a backup made before migration 0009 have neither column.
    exportable: Number(row.exportable ?? 0) === 1,
    releasePolicy: row.release_policy ? (JSON.parse(row.release_policy) as StoredReleasePolicy) : null,
  };
}

function toSealedVersion(row: KeyVersionTable): SealedKeyVersion {
  return { version: toKeyVersion(row), materialSealed: row.material_sealed };
}

/** A store with the keys repository: what the keys services need. */
export type KeyStore = Store<{ keys: KeyRepository }>;
