import { readFile } from "node:fs/promises";
import { ConfigError, type ServerConfig, parseServerConfig } from "./server-config.js";
import { CONFIG_FILE_OPTION, SETTING_LIST, type SettingName, settingFileKey } from "./settings.js";

export interface ServerConfigSources {
  /**
   * Values given as flags, by setting name (`{ listPageSize: "1" }`); a repeatable flag's values
   * as an array, each of which may hold comma-separated values.
   */
  flags?: Partial<Record<SettingName, string | readonly string[] | undefined>>;
  /** The environment, for the settings' MHSM_* variables (`process.env` in `mhsm serve`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A JSON file with any of the settings by config-file key; default: the MHSM_CONFIG variable. */
  configFile?: string;
}

/**
 * The server's configuration from flags, environment variables and a config file: a flag wins
 * over the environment, which wins over the file, which wins over the embedded defaults. The
 * result is validated once (parseServerConfig): a bad value throws a ConfigError naming it.
 */
export async function loadServerConfig(sources: ServerConfigSources = {}): Promise<ServerConfig> {
  const env = sources.env ?? {};
  const configFile = sources.configFile ?? env[CONFIG_FILE_OPTION.env];
  const fromFile = configFile !== undefined ? await readConfigFile(configFile) : {};
  return parseServerConfig(mergeServerConfig(fromFile, sources.flags ?? {}, env));
}

/** The merge of loadServerConfig, unvalidated: the config file's object with flags and environment over it. */
export function mergeServerConfig(
  fromFile: Record<string, unknown>,
  flags: NonNullable<ServerConfigSources["flags"]>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = structuredClone(fromFile);
  const extraIssuer: Record<string, unknown> = {};
  for (const [name, setting] of SETTING_LIST) {
    const flagValue = setting.flag !== undefined ? flags[name] : undefined;
    const envValue = setting.env !== undefined ? env[setting.env] : undefined;
    const raw = flagValue ?? envValue;
    if (raw === undefined) continue;
    const value = setting.repeats ? splitList(raw) : Array.isArray(raw) ? raw.at(-1) : raw;
    if (setting.emptyIsUnset && (value === "" || (Array.isArray(value) && value.length === 0))) continue;
    const path = settingFileKey(name).split(".");
    if (path[0] === "trustedIssuers[]") extraIssuer[path[1] as string] = value;
    else setPath(merged, path, value);
  }
  // --oidc-issuer and --oidc-jwks-uri add one trusted issuer to those of the file.
  if (extraIssuer.issuer !== undefined || extraIssuer.jwksUri !== undefined) {
    if (extraIssuer.issuer === undefined || extraIssuer.jwksUri === undefined) {
      throw new ConfigError("invalid configuration: --oidc-issuer and --oidc-jwks-uri go together");
    }
    const fileIssuers = Array.isArray(merged.trustedIssuers) ? merged.trustedIssuers : [];
    merged.trustedIssuers = [...(fileIssuers as unknown[]), extraIssuer];
  }
  return merged;
}

function splitList(raw: string | readonly string[]): string[] {
  return (typeof raw === "string" ? [raw] : raw).flatMap((value) => value.split(",")).filter(Boolean);
}

/** Sets a dotted path's value, keeping what the file gave the rest of its object. */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const inner = target[head];
  const object =
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : {};
  target[head] = object;
  setPath(object, rest, value);
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch {
    throw new ConfigError(`config file ${path} is not a JSON object`);
  }
}
