import type { Command } from "commander";
import { settingOption, settingsFor } from "../setting-options.js";

const settings = await settingsFor("migrate");

/** `mhsm migrate`: bring the store's schema up to date (servers also do it at start). */
export function registerMigrateCommand(program: Command): void {
  const command = program
    .command("migrate")
    .description("bring the database schema up to date, then exit")
    .addHelpText("after", "\nExample:\n  mhsm migrate --store postgres://mhsm@db.internal/mhsm");
  if (!settings) return;
  const { SETTINGS, settingDefault } = settings;
  // The server's own --store and --data-dir (flags or MHSM_* variables; no config file).
  command
    .addOption(settingOption(settings, SETTINGS.store))
    .addOption(settingOption(settings, SETTINGS.dataDir))
    .action(async (options: { store?: string; dataDir?: string }) => {
      const store = options.store ?? settingDefault(SETTINGS.store);
      const dataDir = options.dataDir ?? settingDefault(SETTINGS.dataDir);
      try {
        // The server package is loaded only when this verb runs: other verbs start faster.
        const { migrateStore } = await import("@mhsm/server");
        const where = await migrateStore(store, dataDir);
        process.stdout.write(`mhsm: schema of ${where} is up to date\n`);
      } catch (error) {
        process.stderr.write(
          `error: migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      }
    });
}
