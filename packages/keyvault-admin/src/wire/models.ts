/**
 * The JSON the service sends and receives (specs/2026-04-01/administration.json and the 7.2
 * rbac.json / backuprestore.json). Only the wire layer and the mappings to public models use these.
 */

export interface WirePermission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

export interface WireRoleDefinition {
  id?: string;
  name?: string;
  type?: string;
  properties?: {
    roleName?: string;
    description?: string;
    type?: string;
    permissions?: WirePermission[];
    assignableScopes?: string[];
  };
}

export interface WireRoleAssignment {
  id?: string;
  name?: string;
  type?: string;
  properties?: { scope?: string; roleDefinitionId?: string; principalId?: string };
}

export interface WireList<T> {
  value?: T[];
  nextLink?: string | null;
}

export interface WireError {
  code?: string;
  message?: string;
  innererror?: WireError | null;
}

/** A backup or restore job, as `202` bodies and `/backup|restore/{jobId}/pending` return it. */
export interface WireJob {
  status?: string;
  statusDetails?: string | null;
  error?: WireError | null;
  jobId?: string;
  /** Unix seconds. */
  startTime?: number | null;
  /** Unix seconds; `null` or `0` while the job runs. */
  endTime?: number | null;
  /** Backups only: the folder the backup was written to. */
  azureStorageBlobContainerUri?: string | null;
}

/** `storageResourceUri` + `token`, or `useManagedIdentity` for the HSM's own storage identity. */
export interface WireSasTokenParameter {
  storageResourceUri: string;
  token?: string;
  useManagedIdentity: boolean;
}

export interface WireSetting {
  name: string;
  value: string;
  type?: string;
}

export interface WireSettingsList {
  settings?: WireSetting[];
}
