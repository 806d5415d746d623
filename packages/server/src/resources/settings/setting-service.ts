import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { SettingStore } from "./setting-repository.js";

export type SettingType = "boolean";

export interface Setting {
  name: string;
  value: string;
  type: SettingType;
}

interface SettingDefinition {
  type: SettingType;
  defaultValue: string;
}

/**
 * The account settings a Managed HSM has. AllowKeyManagementOperationsThroughARM governs key
 * management through Azure Resource Manager; mhsm has no ARM plane, so it is stored and
 * reported for clients that read it, and changes nothing else.
 */
const DEFINITIONS: Record<string, SettingDefinition> = {
  AllowKeyManagementOperationsThroughARM: { type: "boolean", defaultValue: "false" },
};

export class SettingService {
  constructor(
    private readonly store: SettingStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(): Promise<Setting[]> {
    const stored = await this.store.settings.all();
    return Object.entries(DEFINITIONS).map(([name, definition]) => ({
      name,
      value: stored.get(name) ?? definition.defaultValue,
      type: definition.type,
    }));
  }

  async get(name: string): Promise<Setting> {
    const [canonical] = definitionOf(name);
    const setting = (await this.list()).find((s) => s.name === canonical);
    return setting as Setting;
  }

  async update(name: string, value: string): Promise<Setting> {
    const [canonical, definition] = definitionOf(name);
    const normalized = normalize(canonical, definition, value);
    await this.store.settings.put(canonical, normalized, this.clock());
    return { name: canonical, value: normalized, type: definition.type };
  }
}

/** Setting names are matched case-insensitively, as the service does; replies use the canonical name. */
function definitionOf(name: string): [string, SettingDefinition] {
  const entry = Object.entries(DEFINITIONS).find(([known]) => known.toLowerCase() === name.toLowerCase());
  if (!entry) {
    throw KeyVaultErrors.settingNotFound(name, Object.keys(DEFINITIONS));
  }
  return entry;
}

function normalize(name: string, definition: SettingDefinition, value: string): string {
  const lower = value.trim().toLowerCase();
  if (definition.type === "boolean" && (lower === "true" || lower === "false")) return lower;
  throw KeyVaultErrors.badParameter(
    `The value '${value.slice(0, 100)}' is not valid for setting '${name}': it must be 'true' or 'false'.`,
  );
}
