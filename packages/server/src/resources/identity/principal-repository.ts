import { type Kysely, sql } from "kysely";
import { inCodePointOrder } from "../../platform/store/text-order.js";
import type { Barrier } from "../../platform/barrier/barrier.js";
import type { Database, PrincipalTable } from "../../platform/store/schema.js";

/** A principal as a backup carries it: the secret's slow hash opened, protected by the backup's encryption. */
export type PrincipalBackupRow = {
  object_id: string;
  client_id: string;
  display_name: string;
  created_at: number | string;
  secret_hash: string;
};

/** A service principal of the embedded identity provider. */
export interface StoredPrincipal {
  objectId: string;
  clientId: string;
  displayName: string;
  createdAt: number;
}

/**
 * Principals, with the secret's slow hash sealed by the node barrier (bound to the client id):
 * the server must authenticate administrators before it has a domain key.
 */
export class PrincipalRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
    /** The domain barrier: opens principals of backups made before the node key existed. */
    private readonly legacyBarrier: Barrier = barrier,
  ) {}

  async insert(principal: StoredPrincipal, secretHash: string): Promise<void> {
    await this.db
      .insertInto("principals")
      .values({
        object_id: principal.objectId,
        client_id: principal.clientId,
        display_name: principal.displayName,
        secret_hash_sealed: this.barrier.seal(secretHash, secretIdentity(principal.clientId)),
        created_at: principal.createdAt,
      })
      .execute();
  }

  async findByClientId(clientId: string): Promise<(StoredPrincipal & { secretHash: string }) | undefined> {
    const row = await this.db
      .selectFrom("principals")
      .selectAll()
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      ...toModel(row),
      secretHash: this.barrier.openString(row.secret_hash_sealed, secretIdentity(row.client_id)),
    };
  }

  async get(objectId: string): Promise<StoredPrincipal | undefined> {
    const row = await this.db
      .selectFrom("principals")
      .selectAll()
      .where("object_id", "=", objectId)
      .executeTakeFirst();
    return row && toModel(row);
  }

  /**
   * One page of principals, oldest first: the `limit` after `after` in the order (created,
   * object id), read off the index of migration 0008.
   */
  async listPage(
    after: { createdAt: number; objectId: string } | undefined,
    limit: number,
  ): Promise<StoredPrincipal[]> {
    const objectId = inCodePointOrder(this.db, sql.ref<string>("object_id"));
    let query = this.db.selectFrom("principals").selectAll();
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("created_at", ">", after.createdAt),
          eb.and([eb("created_at", "=", after.createdAt), eb(objectId, ">", after.objectId)]),
        ]),
      );
    }
    const rows = await query.orderBy("created_at").orderBy(objectId).limit(limit).execute();
    return rows.map(toModel);
  }

  /** Every principal's object id: what a token's `oid` is checked against (LivePrincipals). */
  async listObjectIds(): Promise<string[]> {
    const rows = await this.db.selectFrom("principals").select("object_id").execute();
    return rows.map((row) => row.object_id);
  }

  async delete(objectId: string): Promise<void> {
    await this.db.deleteFrom("principals").where("object_id", "=", objectId).execute();
  }

  /**
   * Every principal with its secret hash opened, for a backup: the backup's encryption (from the
   * domain key) protects it, and a server with the same domain but another node key can restore it.
   */
  async exportForBackup(): Promise<PrincipalBackupRow[]> {
    const rows = await this.db.selectFrom("principals").selectAll().orderBy("created_at").execute();
    return rows.map((row) => ({
      object_id: row.object_id,
      client_id: row.client_id,
      display_name: row.display_name,
      created_at: row.created_at,
      secret_hash: this.barrier.openString(row.secret_hash_sealed, secretIdentity(row.client_id)),
    }));
  }

  /**
   * Adds the principals of a backup this HSM does not have yet (existing ones stay as they are),
   * sealing their secret hashes under this server's node key. Rows of backups made before the
   * node key carry `secret_hash_sealed` (under the domain key) instead.
   */
  async mergeFromBackup(rows: Array<Record<string, unknown>>): Promise<number> {
    const existing = await this.db.selectFrom("principals").select(["object_id", "client_id"]).execute();
    const taken = new Set(existing.flatMap((p) => [p.object_id, p.client_id]));
    let added = 0;
    for (const row of rows) {
      const clientId = String(row.client_id);
      if (taken.has(String(row.object_id)) || taken.has(clientId)) continue;
      const identity = secretIdentity(clientId);
      const secretHash =
        typeof row.secret_hash === "string"
          ? row.secret_hash
          : this.legacyBarrier.openString(String(row.secret_hash_sealed), identity);
      await this.db
        .insertInto("principals")
        .values({
          object_id: String(row.object_id),
          client_id: clientId,
          display_name: String(row.display_name),
          secret_hash_sealed: this.barrier.seal(secretHash, identity),
          created_at: row.created_at as number | string,
        })
        .execute();
      added++;
    }
    return added;
  }

  /**
   * Data directories from before the node key sealed secret hashes under the domain key:
   * re-seals those under this repository's (node) barrier. Idempotent.
   */
  async resealFrom(previous: Barrier): Promise<number> {
    const rows = await this.db.selectFrom("principals").select(["client_id", "secret_hash_sealed"]).execute();
    let resealed = 0;
    for (const row of rows) {
      const identity = secretIdentity(row.client_id);
      try {
        this.barrier.open(row.secret_hash_sealed, identity);
        continue;
      } catch {
        // Not sealed under the node key yet.
      }
      const secretHash = previous.openString(row.secret_hash_sealed, identity);
      await this.db
        .updateTable("principals")
        .set({ secret_hash_sealed: this.barrier.seal(secretHash, identity) })
        .where("client_id", "=", row.client_id)
        .execute();
      resealed++;
    }
    return resealed;
  }
}

const secretIdentity = (clientId: string) => `principals/${clientId}/secret`;

function toModel(row: PrincipalTable): StoredPrincipal {
  return {
    objectId: row.object_id,
    clientId: row.client_id,
    displayName: row.display_name,
    createdAt: Number(row.created_at),
  };
}
