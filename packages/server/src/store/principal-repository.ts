import type { Kysely } from "kysely";
import type { Barrier } from "../barrier/barrier.js";
import type { Database, PrincipalTable } from "./schema.js";

/** A service principal of the embedded identity provider. */
export interface StoredPrincipal {
  objectId: string;
  clientId: string;
  displayName: string;
  createdAt: number;
}

/** Principals, with the secret's slow hash sealed by the barrier (bound to the client id). */
export class PrincipalRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
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

  async list(): Promise<StoredPrincipal[]> {
    const rows = await this.db
      .selectFrom("principals")
      .selectAll()
      .orderBy("created_at")
      .orderBy("object_id")
      .execute();
    return rows.map(toModel);
  }

  async delete(objectId: string): Promise<void> {
    await this.db.deleteFrom("principals").where("object_id", "=", objectId).execute();
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
