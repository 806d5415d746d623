import { Option } from "commander";
import type { Setting } from "@mhsm/server/config-settings";

export type SettingsModule = typeof import("@mhsm/server/config-settings");

/**
 * The server's setting declarations, for the options of `serve` and `migrate`. They bring zod,
 * which costs every other verb's start about 75 ms: they are loaded only when the command line
 * names one of these verbs (to run it or show its help); otherwise the verb is registered
 * without its options, as it cannot run.
 */
export async function settingsFor(verb: string): Promise<SettingsModule | undefined> {
  return process.argv.slice(2).includes(verb) ? await import("@mhsm/server/config-settings") : undefined;
}

/** A setting's commander option: its flag, value, help line and environment variable (for --help). */
export function settingOption(settings: SettingsModule, setting: Setting & { flag: string }): Option {
  const option = new Option(`${setting.flag} ${setting.value ?? "<value>"}`, settings.settingHelp(setting));
  if (setting.env !== undefined) option.env(setting.env);
  // A repeated flag collects its values; the server splits comma-separated ones.
  if (setting.repeats) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
  return option;
}
