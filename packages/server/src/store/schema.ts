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
  secret_hash_sealed: string;
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
}

export interface Database {
  meta: MetaTable;
  principals: PrincipalTable;
  role_definitions: RoleDefinitionTable;
  role_assignments: RoleAssignmentTable;
}
