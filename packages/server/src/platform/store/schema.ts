import type { Sealed } from "../barrier/barrier.js";
/**
 * Table shapes as Kysely sees them. Column types are chosen to mean the same on SQLite and
 * PostgreSQL: text, and bigint for unix-millisecond timestamps (read back through Number()).
 */
export interface MetaTable {
  key: string;
  value: string;
}

export interface PrincipalTable {
  object_id: string;
  client_id: string;
  display_name: string;
  /** scrypt hash of the client secret, itself sealed by the barrier. */
  secret_hash_sealed: Sealed;
  created_at: number | string;
}

export interface RoleDefinitionTable {
  name: string;
  role_name: string;
  description: string;
  /** JSON: Permission[] */
  permissions: string;
  /** JSON: string[] */
  assignable_scopes: string;
  created_at: number | string;
  updated_at: number | string;
}

export interface RoleAssignmentTable {
  name: string;
  scope: string;
  role_definition_name: string;
  principal_id: string;
  created_at: number | string;
  /** When its role definition was deleted; an orphaned assignment grants nothing. */
  orphaned_at: number | string | null;
}

/** One row per key name, live or soft-deleted. */
export interface KeyTable {
  name: string;
  current_version: string;
  created_at: number | string;
  /** Set while the key is soft-deleted. */
  deleted_at: number | string | null;
  scheduled_purge_at: number | string | null;
  /** JSON: RotationPolicy, or null when none was set. */
  rotation_policy: string | null;
  /** The version whose near-expiry notice (rotation policy Notify) has been given. */
  near_expiry_notified_version: string | null;
}

/** One row per key version; the private material is sealed by the barrier (name+version as AAD). */
export interface KeyVersionTable {
  name: string;
  version: string;
  kty: string;
  /** JSON: KeyShape */
  shape: string;
  /** JSON: the public JWK members (n, e / crv, x, y); "{}" for oct keys. */
  public_key: string;
  material_sealed: Sealed;
  /** JSON: KeyOperation[] */
  key_ops: string;
  enabled: number | string;
  not_before: number | string | null;
  expires: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  /** JSON: Record<string, string> */
  tags: string;
  imported: number | string;
  /** 1 when the version may be released to an attested environment (migration 0009). */
  exportable?: number | string | null;
  /** JSON: StoredReleasePolicy, or null (migration 0009). */
  release_policy?: string | null;
}

export interface SettingTable {
  name: string;
  value: string;
  updated_at: number | string;
}

/** A long-running operation (backup, restore, ...): a row, so it outlives the request and the process. */
export interface JobTable {
  id: string;
  kind: string;
  status: string;
  status_details: string | null;
  error_code: string | null;
  error_message: string | null;
  /** unix seconds */
  start_time: number | string;
  end_time: number | string | null;
  result_uri: string | null;
  /** The request's parameters (including any SAS token), sealed by the barrier. */
  request_sealed: Sealed;
  /** 1 for jobs that hold the HSM's one backup-or-restore slot. */
  exclusive: number | string;
  created_by: string;
  /** The node running the job, and until when (unix ms) its claim holds. */
  lease_owner: string | null;
  lease_expires_at: number | string | null;
}

export interface Database {
  meta: MetaTable;
  principals: PrincipalTable;
  role_definitions: RoleDefinitionTable;
  role_assignments: RoleAssignmentTable;
  settings: SettingTable;
  jobs: JobTable;
  keys: KeyTable;
  key_versions: KeyVersionTable;
}
