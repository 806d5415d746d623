import type { TokenCredential } from "@azure/core-auth";
import { AdminHttpClient } from "./http/admin-http-client.js";
import type {
  BooleanKeyVaultSetting,
  GetSettingOptions,
  KeyVaultSetting,
  ListSettingsOptions,
  ListSettingsResponse,
  SettingsClientOptions,
  UpdateSettingOptions,
} from "./settings-client-models.js";
import { tracingClient } from "./tracing.js";
import type { WireSetting } from "./wire/models.js";
import * as settings from "./wire/settings-operations.js";

/** The service sends every value as a string; a boolean setting's is "true" or "false". */
function toSetting(wire: WireSetting): KeyVaultSetting {
  if (wire.type === "boolean") return { kind: "boolean", name: wire.name, value: wire.value === "true" };
  return { kind: wire.type, name: wire.name, value: wire.value };
}

/** Whether a setting holds a boolean value. */
export function isBooleanSetting(setting: KeyVaultSetting): setting is BooleanKeyVaultSetting {
  return setting.kind === "boolean" && typeof setting.value === "boolean";
}

/** Reads and updates the account settings of a Managed HSM. */
export class KeyVaultSettingsClient {
  /** The base URL to the vault. */
  public readonly vaultUrl: string;

  private readonly client: AdminHttpClient;

  /**
   * Creates an instance of the KeyVaultSettingsClient.
   *
   * @param vaultUrl - the URL of the Managed HSM, e.g. `https://myhsm.managedhsm.azure.net`.
   * @param credential - any `TokenCredential`, e.g. from `@azure/identity`.
   * @param options - options used to configure Key Vault API requests.
   */
  constructor(vaultUrl: string, credential: TokenCredential, options: SettingsClientOptions = {}) {
    this.vaultUrl = vaultUrl;
    this.client = new AdminHttpClient(vaultUrl, credential, options);
  }

  /**
   * Updates a setting. The value is sent as its string form (`String(setting.value)`).
   *
   * @param setting - the setting to update; its name must be one the service knows.
   * @param options - the optional parameters.
   */
  public updateSetting(
    setting: KeyVaultSetting,
    options: UpdateSettingOptions = {},
  ): Promise<KeyVaultSetting> {
    return tracingClient.withSpan("KeyVaultSettingsClient.updateSetting", options, async (updatedOptions) =>
      toSetting(
        await settings.updateSetting(this.client, setting.name, String(setting.value), updatedOptions),
      ),
    );
  }

  /**
   * Gets a setting.
   *
   * @param settingName - the name of the setting.
   * @param options - the optional parameters.
   */
  public getSetting(settingName: string, options: GetSettingOptions = {}): Promise<KeyVaultSetting> {
    return tracingClient.withSpan("KeyVaultSettingsClient.getSetting", options, async (updatedOptions) =>
      toSetting(await settings.getSetting(this.client, settingName, updatedOptions)),
    );
  }

  /**
   * Lists all the account's settings.
   *
   * @param options - the optional parameters.
   */
  public getSettings(options: ListSettingsOptions = {}): Promise<ListSettingsResponse> {
    return tracingClient.withSpan("KeyVaultSettingsClient.getSettings", options, async (updatedOptions) => {
      const list = await settings.getSettings(this.client, updatedOptions);
      return { settings: (list.settings ?? []).map(toSetting) };
    });
  }
}
