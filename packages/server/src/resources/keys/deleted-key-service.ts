import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { KeyStore } from "./key-repository.js";
import type { KeyLookup } from "./key-lookup.js";
import type { KeyMaterialCache } from "./key-material-cache.js";
import type { Deletion, KeyVersion, SoftDeleteSettings } from "./key-model.js";

const DAY_MS = 86_400_000;

export interface DeletedKey {
  /** The key's current version when it was deleted. */
  version: KeyVersion;
  deletion: Deletion;
}

/**
 * Soft delete, which is always on: a deleted key keeps all its versions until it is recovered,
 * purged, or its retention ends (the maintenance loop purges it then). Its name stays taken.
 */
export class DeletedKeyService {
  constructor(
    private readonly store: KeyStore,
    private readonly settings: SoftDeleteSettings,
    private readonly materialCache: KeyMaterialCache,
    private readonly lookup: KeyLookup,
    private readonly clock: () => number = Date.now,
  ) {}

  async delete(name: string): Promise<DeletedKey> {
    return this.changing(name, async (tx) => {
      const found = await tx.keys.getWithVersion(name, undefined);
      if (!found || found.key.deletion) throw KeyVaultErrors.keyNotFound(name);
      const now = this.clock();
      const deletion = { deletedAt: now, scheduledPurgeAt: now + this.settings.retentionDays * DAY_MS };
      await tx.keys.setDeletion(name, deletion);
      return { version: found.version.version, deletion };
    });
  }

  async get(name: string): Promise<DeletedKey> {
    const found = await this.store.keys.getWithVersion(name, undefined);
    if (!found?.key.deletion) throw KeyVaultErrors.deletedKeyNotFound(name);
    return { version: found.version.version, deletion: found.key.deletion };
  }

  /** Up to `limit` deleted keys whose names come after `after`, by name. */
  async list(after: string | undefined, limit: number): Promise<DeletedKey[]> {
    const rows = await this.store.keys.listPage(true, after, limit);
    return rows.map((row) => ({ version: row.version, deletion: row.key.deletion as Deletion }));
  }

  async recover(name: string): Promise<KeyVersion> {
    return this.changing(name, async (tx) => {
      const found = await tx.keys.getWithVersion(name, undefined);
      if (!found?.key.deletion) throw KeyVaultErrors.deletedKeyNotFound(name);
      await tx.keys.setDeletion(name, null);
      return found.version.version;
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

  /** Purge on request: refused under purge protection until the retention has passed. */
  async purge(name: string): Promise<void> {
    await this.changing(name, async (tx) => {
      const key = await tx.keys.getKey(name);
      if (!key?.deletion) throw KeyVaultErrors.deletedKeyNotFound(name);
      if (this.settings.purgeProtection && this.clock() < key.deletion.scheduledPurgeAt) {
        throw KeyVaultErrors.purgeProtected(key.deletion.scheduledPurgeAt);
      }
      await tx.keys.purge(name);
    });
    this.materialCache.forgetKey(name);
  }

  /** Purges every deleted key whose retention has ended; returns their names. */
  async purgeExpired(): Promise<string[]> {
    const due = await this.store.keys.listPurgeDue(this.clock());
    const purged: string[] = [];
    for (const name of due) {
      const done = await this.changing(name, async (tx) => {
        const key = await tx.keys.getKey(name);
        // Recovered (or already purged) since the list was read: leave it.
        if (!key?.deletion || key.deletion.scheduledPurgeAt > this.clock()) return false;
        await tx.keys.purge(name);
        return true;
      });
      if (done) {
        this.materialCache.forgetKey(name);
        purged.push(name);
      }
    }
    return purged;
  }
}
