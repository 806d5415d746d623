import { type Command, Option } from "commander";
import type { SettingName } from "@mhsm/server/config-settings";
import { settingOption, settingsFor } from "../setting-options.js";

// The setting declarations (and zod) only when `serve` is named; the server itself is loaded
// when `serve` runs, so other commands start quickly.
const settings = await settingsFor("serve");

type ServerModule = typeof import("@mhsm/server");

/**
 * `mhsm serve`: every setting of the server's list as a flag (secrets excepted), with its MHSM_*
 * environment variable. The server merges flags, environment and the --config file
 * (loadServerConfig) and validates the result once.
 */
export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description(
      "start an mhsm server (on first start it creates its data directory, CA, domain key and initial administrator)",
    );
  if (!settings) return;
  const { CONFIG_FILE_OPTION, SETTING_LIST } = settings;
  command.addOption(
    new Option(`${CONFIG_FILE_OPTION.flag} ${CONFIG_FILE_OPTION.value}`, CONFIG_FILE_OPTION.description).env(
      CONFIG_FILE_OPTION.env,
    ),
  );
  const flagged: [SettingName, Option][] = [];
  for (const [name, setting] of SETTING_LIST) {
    if (setting.flag === undefined) continue;
    const option = settingOption(settings, { ...setting, flag: setting.flag });
    command.addOption(option);
    flagged.push([name, option]);
  }
  command.action(async (options: { config?: string }) => {
    // Only what was given on the command line: the server reads the environment itself, so
    // commander's copies of MHSM_* values (there for --help) are left out.
    const flags: Partial<Record<SettingName, string | string[]>> = {};
    for (const [name, option] of flagged) {
      const key = option.attributeName();
      if (command.getOptionValueSource(key) === "cli")
        flags[name] = command.getOptionValue(key) as string | string[];
    }
    const configFile = command.getOptionValueSource("config") === "cli" ? options.config : undefined;
    const serverModule = await import("@mhsm/server");
    try {
      await serve(serverModule, { flags, env: process.env, configFile });
    } catch (error) {
      if (error instanceof serverModule.ConfigError) {
        process.stderr.write(`mhsm serve: ${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`mhsm serve: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  });
}

async function serve(
  { loadServerConfig, startServer }: ServerModule,
  sources: Parameters<ServerModule["loadServerConfig"]>[0],
): Promise<void> {
  const config = await loadServerConfig(sources);
  // Everything the server writes (database, WAL, audit log, keys) is for its owner only.
  process.umask(0o077);

  const server = await startServer(config);
  process.stdout.write(`mhsm listening on ${server.listenUrl}\n`);
  if (server.url !== server.listenUrl) process.stdout.write(`mhsm public URL: ${server.url}\n`);
  process.stdout.write(`mhsm initial administrator credentials: ${server.initialAdminFile}\n`);
  if (server.caFile) process.stdout.write(`mhsm CA certificate: ${server.caFile}\n`);
  if (server.metricsUrl) process.stdout.write(`mhsm metrics: ${server.metricsUrl}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`mhsm stopping (${signal})\n`);
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
