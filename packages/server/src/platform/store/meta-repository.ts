import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Server-wide singletons (tenant id, the identity provider's sealed signing key, ...). */
export class MetaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` unless the key is already set; returns whichever value is stored. */
  async getOrInsert(key: string, value: string): Promise<string> {
    await this.db
      .insertInto("meta")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    return (await this.get(key)) as string;
  }
}
