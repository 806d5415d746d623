import { openDatabase } from "../platform/store/database.js";
import { migrateToLatest } from "../platform/store/migrations.js";

/**
 * Brings a store's schema up to date without starting a server (`mhsm migrate`). Servers also
 * migrate at start; Kysely's migration lock keeps concurrent starts from colliding.
 */
export async function migrateStore(store: string, dataDir: string): Promise<string> {
  const database = openDatabase(store, dataDir);
  try {
    await migrateToLatest(database.db as never);
    return database.description;
  } finally {
    await database.db.destroy();
  }
}
