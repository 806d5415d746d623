// The public surface of @mhsm/keyvault-admin: that of @azure/keyvault-admin 4.7.
// review/keyvault-admin.api.md records it; a test keeps the two in step.

export { KeyVaultAccessControlClient } from "./access-control-client.js";
export type {
  AccessControlClientOptions,
  CreateRoleAssignmentOptions,
  DeleteRoleAssignmentOptions,
  DeleteRoleDefinitionOptions,
  GetRoleAssignmentOptions,
  GetRoleDefinitionOptions,
  KeyVaultDataAction,
  KeyVaultPermission,
  KeyVaultRoleAssignment,
  KeyVaultRoleAssignmentProperties,
  KeyVaultRoleDefinition,
  KeyVaultRoleScope,
  ListRoleAssignmentsOptions,
  ListRoleAssignmentsPageSettings,
  ListRoleDefinitionsOptions,
  ListRoleDefinitionsPageSettings,
  SetRoleDefinitionOptions,
} from "./access-control-models.js";
export { KnownKeyVaultRoleScope } from "./access-control-models.js";
export { KnownKeyVaultDataAction } from "./known-data-actions.js";

export { KeyVaultBackupClient } from "./backup-client.js";
export type {
  KeyVaultBackupClientOptions,
  KeyVaultBackupOperationState,
  KeyVaultBackupPollerOptions,
  KeyVaultBackupResult,
  KeyVaultBeginBackupOptions,
  KeyVaultBeginPreBackupOptions,
  KeyVaultBeginPreRestoreOptions,
  KeyVaultBeginRestoreOptions,
  KeyVaultBeginSelectiveKeyRestoreOptions,
  KeyVaultRestoreOperationState,
  KeyVaultRestoreResult,
  KeyVaultSelectiveKeyRestoreOperationState,
  KeyVaultSelectiveKeyRestoreResult,
} from "./backup-client-models.js";
export type { KeyVaultAdminPollOperationState, OperationStatus, PollerLike } from "./lro/models.js";

export { KeyVaultSettingsClient, isBooleanSetting } from "./settings-client.js";
export type {
  BooleanKeyVaultSetting,
  GetSettingOptions,
  KeyVaultSetting,
  ListSettingsOptions,
  ListSettingsResponse,
  SettingsClientOptions,
  UpdateSettingOptions,
} from "./settings-client-models.js";

export { LATEST_API_VERSION, SDK_VERSION } from "./constants.js";
export type { SUPPORTED_API_VERSIONS } from "./constants.js";
export { RestError, isRestError } from "@azure/core-rest-pipeline";
