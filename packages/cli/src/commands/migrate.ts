import { type Command, Option } from "commander";

/** `mhsm migrate`: bring the store's schema up to date (servers also do it at start). */
export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("bring the database schema up to date, then exit")
    .addOption(
      new Option("--store <store>", "'sqlite' or a postgres:// URL").env("MHSM_STORE").default("sqlite"),
    )
    .addOption(
      new Option("--data-dir <dir>", "data directory (for sqlite)").env("MHSM_DATA_DIR").default("./.mhsm"),
    )
    .addHelpText("after", "\nExample:\n  mhsm migrate --store postgres://mhsm@db.internal/mhsm")
    .action(async (options: { store: string; dataDir: string }) => {
      try {
        // The server package is loaded only when this verb runs: other verbs start faster.
        const { migrateStore } = await import("@mhsm/server");
        const where = await migrateStore(options.store, options.dataDir);
        process.stdout.write(`mhsm: schema of ${where} is up to date\n`);
      } catch (error) {
        process.stderr.write(
          `error: migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      }
    });
}
