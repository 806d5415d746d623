import type { TokenCredential } from "@azure/core-auth";
import type {
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
import { folderUriParts } from "./folder-uri.js";
import { AdminHttpClient } from "./http/admin-http-client.js";
import { createAdminPoller } from "./lro/admin-poller.js";
import { type JobSnapshot, dateOf } from "./lro/job-snapshot.js";
import type { PollerLike } from "./lro/models.js";
import { tracingClient } from "./tracing.js";
import type { JobStart } from "./wire/backup-restore-operations.js";
import type { WireSasTokenParameter } from "./wire/models.js";

/**
 * Full backups of a Managed HSM to Azure Blob Storage, full restores from them, and restores of
 * single keys. Each `begin*` method starts a job and returns a poller for it. Storage is reached
 * with a SAS token when one is given, otherwise with the HSM's own (managed) identity.
 */
export class KeyVaultBackupClient {
  /** The base URL to the vault. */
  public readonly vaultUrl: string;

  private readonly client: AdminHttpClient;

  /**
   * Creates an instance of the KeyVaultBackupClient.
   *
   * @param vaultUrl - the URL of the Managed HSM, e.g. `https://myhsm.managedhsm.azure.net`.
   * @param credential - any `TokenCredential`, e.g. from `@azure/identity`.
   * @param options - options used to configure Key Vault API requests.
   */
  constructor(vaultUrl: string, credential: TokenCredential, options: KeyVaultBackupClientOptions = {}) {
    this.vaultUrl = vaultUrl;
    this.client = new AdminHttpClient(vaultUrl, credential, options);
  }

  /**
   * Starts a full backup into a blob container, authenticating to storage with a SAS token.
   *
   * @param blobStorageUri - the URL of the blob container.
   * @param sasToken - a SAS token for the container.
   * @param options - the optional parameters.
   */
  public beginBackup(
    blobStorageUri: string,
    sasToken: string,
    options?: KeyVaultBeginBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>>;
  /**
   * Starts a full backup into a blob container, authenticating to storage with the HSM's own
   * user-assigned managed identity.
   *
   * @param blobStorageUri - the URL of the blob container.
   * @param options - the optional parameters.
   */
  public beginBackup(
    blobStorageUri: string,
    options?: KeyVaultBeginBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>>;
  public beginBackup(
    blobStorageUri: string,
    sasTokenOrOptions?: string | KeyVaultBeginBackupOptions,
    optionsWithSasToken?: KeyVaultBeginBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>> {
    const { sasToken, options } = splitArguments(sasTokenOrOptions, optionsWithSasToken);
    return this.begin(
      "KeyVaultBackupClient.beginBackup",
      { kind: "backup", parameters: storage(blobStorageUri, sasToken) },
      options,
      toBackupResult,
    );
  }

  /**
   * Starts a pre-backup check: whether a full backup into this container would succeed, with a
   * SAS token.
   *
   * @param blobStorageUri - the URL of the blob container.
   * @param sasToken - a SAS token for the container.
   * @param options - the optional parameters.
   */
  public beginPreBackup(
    blobStorageUri: string,
    sasToken: string,
    options?: KeyVaultBeginPreBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>>;
  /**
   * Starts a pre-backup check: whether a full backup into this container would succeed, with the
   * HSM's own user-assigned managed identity.
   *
   * @param blobStorageUri - the URL of the blob container.
   * @param options - the optional parameters.
   */
  public beginPreBackup(
    blobStorageUri: string,
    options?: KeyVaultBeginPreBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>>;
  public beginPreBackup(
    blobStorageUri: string,
    sasTokenOrOptions?: string | KeyVaultBeginPreBackupOptions,
    optionsWithSasToken?: KeyVaultBeginPreBackupOptions,
  ): Promise<PollerLike<KeyVaultBackupOperationState, KeyVaultBackupResult>> {
    const { sasToken, options } = splitArguments(sasTokenOrOptions, optionsWithSasToken);
    return this.begin(
      "KeyVaultBackupClient.beginPreBackup",
      { kind: "preBackup", parameters: storage(blobStorageUri, sasToken) },
      options,
      toBackupResult,
    );
  }

  /**
   * Starts a full restore from a backup folder, with a SAS token. It replaces all keys and role
   * assignments of the HSM.
   *
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param sasToken - a SAS token for the container.
   * @param options - the optional parameters.
   */
  public beginRestore(
    folderUri: string,
    sasToken: string,
    options?: KeyVaultBeginRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>>;
  /**
   * Starts a full restore from a backup folder, with the HSM's own user-assigned managed
   * identity. It replaces all keys and role assignments of the HSM.
   *
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param options - the optional parameters.
   */
  public beginRestore(
    folderUri: string,
    options?: KeyVaultBeginRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>>;
  public beginRestore(
    folderUri: string,
    sasTokenOrOptions?: string | KeyVaultBeginRestoreOptions,
    optionsWithSasToken?: KeyVaultBeginRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>> {
    const { sasToken, options } = splitArguments(sasTokenOrOptions, optionsWithSasToken);
    return this.begin(
      "KeyVaultBackupClient.beginRestore",
      () => {
        const { containerUri, folderName } = folderUriParts(folderUri);
        return { kind: "restore", parameters: storage(containerUri, sasToken), folderName };
      },
      options,
      toRestoreResult,
    );
  }

  /**
   * Starts a pre-restore check: whether a full restore from this folder would succeed, with a
   * SAS token.
   *
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param sasToken - a SAS token for the container.
   * @param options - the optional parameters.
   */
  public beginPreRestore(
    folderUri: string,
    sasToken: string,
    options?: KeyVaultBeginPreRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>>;
  /**
   * Starts a pre-restore check: whether a full restore from this folder would succeed, with the
   * HSM's own user-assigned managed identity.
   *
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param options - the optional parameters.
   */
  public beginPreRestore(
    folderUri: string,
    options?: KeyVaultBeginPreRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>>;
  public beginPreRestore(
    folderUri: string,
    sasTokenOrOptions?: string | KeyVaultBeginPreRestoreOptions,
    optionsWithSasToken?: KeyVaultBeginPreRestoreOptions,
  ): Promise<PollerLike<KeyVaultRestoreOperationState, KeyVaultRestoreResult>> {
    const { sasToken, options } = splitArguments(sasTokenOrOptions, optionsWithSasToken);
    return this.begin(
      "KeyVaultBackupClient.beginPreRestore",
      () => {
        const { containerUri, folderName } = folderUriParts(folderUri);
        return { kind: "preRestore", parameters: storage(containerUri, sasToken), folderName };
      },
      options,
      toRestoreResult,
    );
  }

  /**
   * Starts restoring all versions of one key from a backup folder, with a SAS token. Versions
   * the HSM already has are kept as they are; the backup's versions it lacks are added.
   *
   * @param keyName - the name of the key to restore.
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param sasToken - a SAS token for the container.
   * @param options - the optional parameters.
   */
  public beginSelectiveKeyRestore(
    keyName: string,
    folderUri: string,
    sasToken: string,
    options?: KeyVaultBeginSelectiveKeyRestoreOptions,
  ): Promise<PollerLike<KeyVaultSelectiveKeyRestoreOperationState, KeyVaultSelectiveKeyRestoreResult>>;
  /**
   * Starts restoring all versions of one key from a backup folder, with the HSM's own
   * user-assigned managed identity. Versions the HSM already has are kept as they are; the
   * backup's versions it lacks are added.
   *
   * @param keyName - the name of the key to restore.
   * @param folderUri - the backup's folder: the `folderUri` of a backup result.
   * @param options - the optional parameters.
   */
  public beginSelectiveKeyRestore(
    keyName: string,
    folderUri: string,
    options?: KeyVaultBeginSelectiveKeyRestoreOptions,
  ): Promise<PollerLike<KeyVaultSelectiveKeyRestoreOperationState, KeyVaultSelectiveKeyRestoreResult>>;
  public beginSelectiveKeyRestore(
    keyName: string,
    folderUri: string,
    sasTokenOrOptions?: string | KeyVaultBeginSelectiveKeyRestoreOptions,
    optionsWithSasToken?: KeyVaultBeginSelectiveKeyRestoreOptions,
  ): Promise<PollerLike<KeyVaultSelectiveKeyRestoreOperationState, KeyVaultSelectiveKeyRestoreResult>> {
    const { sasToken, options } = splitArguments(sasTokenOrOptions, optionsWithSasToken);
    return this.begin(
      "KeyVaultBackupClient.beginSelectiveKeyRestore",
      () => {
        const { containerUri, folderName } = folderUriParts(folderUri);
        return {
          kind: "selectiveKeyRestore",
          parameters: storage(containerUri, sasToken),
          folderName,
          keyName,
        };
      },
      options,
      toRestoreResult,
    );
  }

  private begin<TResult>(
    spanName: string,
    start: JobStart | (() => JobStart),
    options: KeyVaultBackupPollerOptions,
    toResult: (job: JobSnapshot) => TResult,
  ) {
    return tracingClient.withSpan(spanName, options, (updatedOptions) =>
      createAdminPoller({
        client: this.client,
        // Worked out here so a bad folder URI rejects the returned promise rather than throwing.
        start: typeof start === "function" ? start() : start,
        options: updatedOptions,
        toResult,
      }),
    );
  }
}

/** The overloads' `(sasToken, options)` or `(options)`: a SAS token is the only string. */
function splitArguments(
  sasTokenOrOptions: string | KeyVaultBackupPollerOptions | undefined,
  optionsWithSasToken: KeyVaultBackupPollerOptions | undefined,
): { sasToken: string | undefined; options: KeyVaultBackupPollerOptions } {
  return typeof sasTokenOrOptions === "string"
    ? { sasToken: sasTokenOrOptions, options: optionsWithSasToken ?? {} }
    : { sasToken: undefined, options: sasTokenOrOptions ?? {} };
}

/** With no SAS token the HSM uses its own managed identity to reach storage. */
function storage(storageResourceUri: string, sasToken: string | undefined): WireSasTokenParameter {
  return { storageResourceUri, token: sasToken, useManagedIdentity: sasToken === undefined };
}

function toBackupResult(job: JobSnapshot): KeyVaultBackupResult {
  return { folderUri: job.folderUri, startTime: dateOf(job.startTime), endTime: dateOf(job.endTime) };
}

function toRestoreResult(job: JobSnapshot): KeyVaultRestoreResult {
  return { startTime: dateOf(job.startTime), endTime: dateOf(job.endTime) };
}
