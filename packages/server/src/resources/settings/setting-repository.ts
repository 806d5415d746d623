import type { Store } from "../../platform/store/store.js";
import type { Kysely } from "kysely";
import type { Database } from "../../platform/store/schema.js";

/** Stored values of account settings; a setting never written has its default (setting-service.ts). */
export class SettingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom("settings").selectAll().execute();
    return new Map(rows.map((row) => [row.name, row.value]));
  }

  async put(name: string, value: string, now: number): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  async deleteAll(): Promise<void> {
    await this.db.deleteFrom("settings").execute();
  }
}

/** A store with the settings repository. */
export type SettingStore = Store<{ settings: SettingRepository }>;
