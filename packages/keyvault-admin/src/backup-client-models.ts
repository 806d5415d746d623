import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import type { SUPPORTED_API_VERSIONS } from "./constants.js";
import type { KeyVaultAdminPollOperationState } from "./lro/models.js";

/** Options for {@link KeyVaultBackupClient}. */
export interface KeyVaultBackupClientOptions extends CommonClientOptions {
  /** The service API version; {@link LATEST_API_VERSION} when omitted. */
  serviceVersion?: SUPPORTED_API_VERSIONS;
  /**
   * Whether to skip the check that the challenge's resource matches the vault's domain. Needed
   * for a vault URL that is not a subdomain of the resource, such as `https://localhost:8443`.
   */
  disableChallengeResourceVerification?: boolean;
}

/** Options shared by the `begin*` methods of {@link KeyVaultBackupClient}. */
export interface KeyVaultBackupPollerOptions extends OperationOptions {
  /** Milliseconds between polls when the service does not say (`Retry-After`); 2000 by default. */
  intervalInMs?: number;
  /** A poller's `toString()`: resume polling that job instead of starting a new one. */
  resumeFrom?: string;
}

/** Options for {@link KeyVaultBackupClient.beginBackup}. */
export interface KeyVaultBeginBackupOptions extends KeyVaultBackupPollerOptions {}

/** Options for {@link KeyVaultBackupClient.beginPreBackup}. */
export interface KeyVaultBeginPreBackupOptions extends KeyVaultBackupPollerOptions {}

/** Options for {@link KeyVaultBackupClient.beginRestore}. */
export interface KeyVaultBeginRestoreOptions extends KeyVaultBackupPollerOptions {}

/** Options for {@link KeyVaultBackupClient.beginPreRestore}. */
export interface KeyVaultBeginPreRestoreOptions extends KeyVaultBackupPollerOptions {}

/** Options for {@link KeyVaultBackupClient.beginSelectiveKeyRestore}. */
export interface KeyVaultBeginSelectiveKeyRestoreOptions extends KeyVaultBackupPollerOptions {}

/** The result of a backup (or pre-backup) job. */
export interface KeyVaultBackupResult {
  /** The folder the backup was written to: pass it to `beginRestore`. */
  folderUri?: string;
  /** When the job started. */
  startTime?: Date;
  /** When the job ended. */
  endTime?: Date;
}

/** The result of a restore (or pre-restore) job. */
export interface KeyVaultRestoreResult {
  /** When the job started. */
  startTime?: Date;
  /** When the job ended. */
  endTime?: Date;
}

/** The result of a selective key restore job. */
export interface KeyVaultSelectiveKeyRestoreResult {
  /** When the job started. */
  startTime?: Date;
  /** When the job ended. */
  endTime?: Date;
}

/** The state of a backup poller. */
export type KeyVaultBackupOperationState = KeyVaultAdminPollOperationState<KeyVaultBackupResult>;

/** The state of a restore poller. */
export interface KeyVaultRestoreOperationState extends KeyVaultAdminPollOperationState<KeyVaultRestoreResult> {}

/** The state of a selective key restore poller. */
export interface KeyVaultSelectiveKeyRestoreOperationState extends KeyVaultAdminPollOperationState<KeyVaultSelectiveKeyRestoreResult> {}
