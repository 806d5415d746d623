import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import type { SUPPORTED_API_VERSIONS } from "./constants.js";

/** Options for {@link KeyVaultSettingsClient}. */
export interface SettingsClientOptions extends CommonClientOptions {
  /** The service API version; {@link LATEST_API_VERSION} when omitted. */
  serviceVersion?: SUPPORTED_API_VERSIONS;
  /**
   * Whether to skip the check that the challenge's resource matches the vault's domain. Needed
   * for a vault URL that is not a subdomain of the resource, such as `https://localhost:8443`.
   */
  disableChallengeResourceVerification?: boolean;
}

/** An account setting of a Managed HSM. */
export interface KeyVaultSetting {
  /** The setting's name, e.g. "AllowKeyManagementOperationsThroughARM". */
  name: string;
  /** The setting's value: a boolean for boolean settings, the service's string otherwise. */
  value: unknown;
  /** The type of the value, e.g. "boolean". */
  kind?: string;
}

/** A setting whose value is a boolean; see {@link isBooleanSetting}. */
export interface BooleanKeyVaultSetting extends KeyVaultSetting {
  kind: "boolean";
  value: boolean;
}

/** Options for {@link KeyVaultSettingsClient.getSetting}. */
export interface GetSettingOptions extends OperationOptions {}

/** Options for {@link KeyVaultSettingsClient.getSettings}. */
export interface ListSettingsOptions extends OperationOptions {}

/** Options for {@link KeyVaultSettingsClient.updateSetting}. */
export interface UpdateSettingOptions extends OperationOptions {}

/** The result of {@link KeyVaultSettingsClient.getSettings}. */
export interface ListSettingsResponse {
  /** All the account's settings. */
  settings: KeyVaultSetting[];
}
