/**
 * Data actions a Managed HSM knows, for role definitions' permissions. The service also uses
 * some that are not listed here (e.g. "Microsoft.KeyVault/managedHsm/keys/rotate/action"); a
 * {@link KeyVaultDataAction} is any string.
 */
export enum KnownKeyVaultDataAction {
  /** Read an HSM key. */
  ReadHsmKey = "Microsoft.KeyVault/managedHsm/keys/read/action",
  /** Update an HSM key. */
  WriteHsmKey = "Microsoft.KeyVault/managedHsm/keys/write/action",
  /** Read a deleted HSM key. */
  ReadDeletedHsmKey = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
  /** Recover a deleted HSM key. */
  RecoverDeletedHsmKey = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
  /** Back up HSM keys. */
  BackupHsmKeys = "Microsoft.KeyVault/managedHsm/keys/backup/action",
  /** Restore HSM keys. */
  RestoreHsmKeys = "Microsoft.KeyVault/managedHsm/keys/restore/action",
  /** Delete role assignments. */
  DeleteRoleAssignment = "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action",
  /** Get role assignments. */
  GetRoleAssignment = "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
  /** Create or update role assignments. */
  WriteRoleAssignment = "Microsoft.KeyVault/managedHsm/roleAssignments/write/action",
  /** Get role definitions. */
  ReadRoleDefinition = "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
  /** Create or update role definitions. */
  WriteRoleDefinition = "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action",
  /** Delete role definitions. */
  DeleteRoleDefinition = "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
  /** Encrypt with an HSM key. */
  EncryptHsmKey = "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
  /** Decrypt with an HSM key. */
  DecryptHsmKey = "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
  /** Wrap a key with an HSM key. */
  WrapHsmKey = "Microsoft.KeyVault/managedHsm/keys/wrap/action",
  /** Unwrap a key with an HSM key. */
  UnwrapHsmKey = "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
  /** Sign with an HSM key. */
  SignHsmKey = "Microsoft.KeyVault/managedHsm/keys/sign/action",
  /** Verify with an HSM key. */
  VerifyHsmKey = "Microsoft.KeyVault/managedHsm/keys/verify/action",
  /** Create an HSM key. */
  CreateHsmKey = "Microsoft.KeyVault/managedHsm/keys/create",
  /** Delete an HSM key. */
  DeleteHsmKey = "Microsoft.KeyVault/managedHsm/keys/delete",
  /** Export an HSM key. */
  ExportHsmKey = "Microsoft.KeyVault/managedHsm/keys/export/action",
  /** Release an HSM key. */
  ReleaseKey = "Microsoft.KeyVault/managedHsm/keys/release/action",
  /** Import an HSM key. */
  ImportHsmKey = "Microsoft.KeyVault/managedHsm/keys/import/action",
  /** Purge a deleted HSM key. */
  PurgeDeletedHsmKey = "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
  /** Download the security domain. */
  DownloadHsmSecurityDomain = "Microsoft.KeyVault/managedHsm/securitydomain/download/action",
  /** Read the status of a security domain download. */
  DownloadHsmSecurityDomainStatus = "Microsoft.KeyVault/managedHsm/securitydomain/download/read",
  /** Upload a security domain. */
  UploadHsmSecurityDomain = "Microsoft.KeyVault/managedHsm/securitydomain/upload/action",
  /** Read the status of a security domain upload. */
  ReadHsmSecurityDomainStatus = "Microsoft.KeyVault/managedHsm/securitydomain/upload/read",
  /** Read the security domain transfer key. */
  ReadHsmSecurityDomainTransferKey = "Microsoft.KeyVault/managedHsm/securitydomain/transferkey/read",
  /** Start a full backup. */
  StartHsmBackup = "Microsoft.KeyVault/managedHsm/backup/start/action",
  /** Start a full restore. */
  StartHsmRestore = "Microsoft.KeyVault/managedHsm/restore/start/action",
  /** Read a backup's status. */
  ReadHsmBackupStatus = "Microsoft.KeyVault/managedHsm/backup/status/action",
  /** Read a restore's status. */
  ReadHsmRestoreStatus = "Microsoft.KeyVault/managedHsm/restore/status/action",
  /** Generate random numbers. */
  RandomNumbersGenerate = "Microsoft.KeyVault/managedHsm/rng/action",
}
