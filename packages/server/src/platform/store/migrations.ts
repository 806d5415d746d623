import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { isPostgres } from "./text-order.js";

/**
 * Schema migrations, in order. Never edit a migration that has shipped: add a new one.
 * Only portable DDL here (text, bigint, primary keys, unique and plain indexes), with two
 * exceptions: the paging indexes of 0008 say `COLLATE "C"` on PostgreSQL (see text-order.ts),
 * and 0010's change announcements are PostgreSQL triggers.
 */
const migrations: Record<string, Migration> = {
  "0001_foundation": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("meta")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("principals")
        .addColumn("object_id", "text", (c) => c.primaryKey())
        .addColumn("client_id", "text", (c) => c.notNull().unique())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("secret_hash_sealed", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("role_definitions")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("role_name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("permissions", "text", (c) => c.notNull())
        .addColumn("assignable_scopes", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("role_assignments")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("role_definition_name", "text", (c) => c.notNull())
        .addColumn("principal_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("role_assignments_one_per_grant", [
          "scope",
          "role_definition_name",
          "principal_id",
        ])
        .execute();
      await db.schema
        .createIndex("role_assignments_by_principal")
        .on("role_assignments")
        .column("principal_id")
        .execute();
    },
  },
  "0002_keys": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("keys")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("current_version", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("deleted_at", "bigint")
        .addColumn("scheduled_purge_at", "bigint")
        .addColumn("rotation_policy", "text")
        .execute();
      await db.schema.createIndex("keys_by_purge_date").on("keys").column("scheduled_purge_at").execute();
      await db.schema
        .createTable("key_versions")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("kty", "text", (c) => c.notNull())
        .addColumn("shape", "text", (c) => c.notNull())
        .addColumn("public_key", "text", (c) => c.notNull())
        .addColumn("material_sealed", "text", (c) => c.notNull())
        .addColumn("key_ops", "text", (c) => c.notNull())
        .addColumn("enabled", "bigint", (c) => c.notNull())
        .addColumn("not_before", "bigint")
        .addColumn("expires", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("tags", "text", (c) => c.notNull())
        .addColumn("imported", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("key_versions_pk", ["name", "version"])
        .execute();
      await db.schema
        .createIndex("key_versions_by_name_created")
        .on("key_versions")
        .columns(["name", "created_at"])
        .execute();
    },
  },
  "0003_settings_and_jobs": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("settings")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("jobs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("status_details", "text")
        .addColumn("error_code", "text")
        .addColumn("error_message", "text")
        .addColumn("start_time", "bigint", (c) => c.notNull())
        .addColumn("end_time", "bigint")
        .addColumn("result_uri", "text")
        .addColumn("request_sealed", "text", (c) => c.notNull())
        .addColumn("exclusive", "bigint", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .execute();
      // The database itself keeps backups and restores one at a time: at most one running
      // exclusive job, whichever process or node tries to start another.
      await db.schema
        .createIndex("jobs_one_exclusive_running")
        .on("jobs")
        .column("exclusive")
        .unique()
        .where(sql.ref("status"), "=", "InProgress")
        .where(sql.ref("exclusive"), "=", 1)
        .execute();
      await db.schema.createIndex("jobs_by_status").on("jobs").column("status").execute();
    },
  },
  "0004_job_leases": {
    async up(db: Kysely<unknown>) {
      // The node running a job renews its lease; when a lease runs out, another node fails the job.
      await db.schema.alterTable("jobs").addColumn("lease_owner", "text").execute();
      await db.schema.alterTable("jobs").addColumn("lease_expires_at", "bigint").execute();
    },
  },
  "0005_case_insensitive_key_names": {
    async up(db: Kysely<unknown>) {
      // Key Vault names are case-insensitive: MyKey and mykey are one key. Lookups compare
      // lower(name), indexed, and no two keys may differ only in case.
      const clashes = await sql<{ folded: string }>`
        SELECT lower(name) AS folded FROM keys GROUP BY lower(name) HAVING count(*) > 1`.execute(db);
      if (clashes.rows.length > 0) {
        const names = clashes.rows.map((row) => row.folded).join(", ");
        throw new Error(
          `keys whose names differ only in case must be merged first (purge all but one of each): ${names}`,
        );
      }
      await db.schema
        .createIndex("keys_by_folded_name")
        .on("keys")
        .unique()
        .expression(sql`lower(name)`)
        .execute();
      await db.schema
        .createIndex("key_versions_by_folded_name")
        .on("key_versions")
        .expression(sql`lower(name), version`)
        .execute();
      // Key scopes are spelled in lower case from now on. Two assignments that differ only in
      // the case of their key scope are one grant: the oldest stays, the repeats go.
      await sql`
        DELETE FROM role_assignments WHERE scope LIKE '/keys/%' AND EXISTS (
          SELECT 1 FROM role_assignments AS older
          WHERE lower(older.scope) = lower(role_assignments.scope)
            AND older.role_definition_name = role_assignments.role_definition_name
            AND older.principal_id = role_assignments.principal_id
            AND (older.created_at < role_assignments.created_at
              OR (older.created_at = role_assignments.created_at AND older.name < role_assignments.name)))`.execute(
        db,
      );
      await sql`UPDATE role_assignments SET scope = lower(scope) WHERE scope LIKE '/keys/%'`.execute(db);
    },
  },
  "0006_near_expiry_notices": {
    async up(db: Kysely<unknown>) {
      // A rotation policy's Notify action is given once per key version, by one node.
      await db.schema.alterTable("keys").addColumn("near_expiry_notified_version", "text").execute();
    },
  },
  "0007_orphaned_role_assignments": {
    async up(db: Kysely<unknown>) {
      // Deleting a role definition leaves its assignments in place, as the service does; they
      // are marked here when it happens and grant nothing from then on, even if a definition is
      // created again under the same GUID.
      await db.schema.alterTable("role_assignments").addColumn("orphaned_at", "bigint").execute();
    },
  },
  "0008_paging_indexes": {
    async up(db: Kysely<unknown>) {
      // Every list reads one page with a keyset query (WHERE name > :after ORDER BY name LIMIT
      // :n+1): these indexes serve that order, with each list's filters in front. The order is
      // code-point order on both backends (text-order.ts): SQLite's BINARY text is that already;
      // PostgreSQL needs COLLATE "C" in the index, or a database created with another locale
      // would sort every page of a large table instead of reading it off the index. This is the
      // one dialect-specific DDL: the alternative, a collation-proof copy of every name, would
      // be a column to keep in step for ever.
      const postgres = isPostgres(db);
      const inOrder = (column: string) => (postgres ? sql.raw(`${column} COLLATE "C"`) : sql.raw(column));
      const index = (name: string, table: string, columns: ReturnType<typeof sql.raw>[]) =>
        sql`CREATE INDEX ${sql.raw(name)} ON ${sql.raw(table)} (${sql.join(columns)})`.execute(db);
      // Keys by name as spelled (unique, as lower(name) is): on SQLite the primary key serves.
      if (postgres) await index("keys_in_order", "keys", [inOrder("name")]);
      await index("key_versions_by_folded_name_created", "key_versions", [
        sql.raw("lower(name)"),
        sql.raw("created_at"),
        inOrder("version"),
      ]);
      // Role assignments: all of them, those at a scope, those of a principal (at a scope).
      if (postgres) await index("role_assignments_in_order", "role_assignments", [inOrder("name")]);
      await index("role_assignments_by_scope_name", "role_assignments", [sql.raw("scope"), inOrder("name")]);
      await index("role_assignments_by_principal_name", "role_assignments", [
        sql.raw("principal_id"),
        inOrder("name"),
      ]);
      await index("role_assignments_by_principal_scope_name", "role_assignments", [
        sql.raw("principal_id"),
        sql.raw("scope"),
        inOrder("name"),
      ]);
      if (postgres) await index("role_definitions_in_order", "role_definitions", [inOrder("name")]);
      await index("principals_by_created", "principals", [sql.raw("created_at"), inOrder("object_id")]);
    },
  },
  "0009_secure_key_release": {
    async up(db: Kysely<unknown>) {
      // Secure key release: whether a key version may leave the HSM wrapped to an attested
      // environment, and the release policy (canonical JSON) a release must satisfy.
      await db.schema
        .alterTable("key_versions")
        .addColumn("exportable", "integer", (column) => column.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("key_versions").addColumn("release_policy", "text").execute();
    },
  },
  "0010_change_announcements": {
    async up(db: Kysely<unknown>) {
      // PostgreSQL only (SQLite has one server process, which announces its own writes): the
      // database announces every committed write to the keys and RBAC tables on the change
      // feed's channel, inside the writing transaction. NOTIFY is delivered on commit and never
      // for a rollback, so a node that dies between its commit and an announcement of its own,
      // or a write made with psql, still reaches every node's caches. Keys are announced by
      // name ("keys <ms> <lower(name)>"), so a write drops only that key's cached lookups; a
      // statement touching more than 100 keys (a restore) announces "keys <ms>": drop them all.
      if (!isPostgres(db)) return;
      const statements = [
        `CREATE FUNCTION mhsm_sent_at() RETURNS text LANGUAGE sql AS
           $$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint::text $$`,
        `CREATE FUNCTION mhsm_announce_keys(names text[]) RETURNS void LANGUAGE plpgsql AS $$
         BEGIN
           IF cardinality(names) > 100 THEN
             PERFORM pg_notify('mhsm_changes', 'keys ' || mhsm_sent_at());
           ELSE
             PERFORM pg_notify('mhsm_changes', 'keys ' || mhsm_sent_at() || ' ' || name) FROM unnest(names) AS name;
           END IF;
         END $$`,
        `CREATE FUNCTION mhsm_announce_new_keys() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM mhsm_announce_keys(ARRAY(SELECT DISTINCT lower(name) FROM new_rows));
           RETURN NULL;
         END $$`,
        `CREATE FUNCTION mhsm_announce_old_keys() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM mhsm_announce_keys(ARRAY(SELECT DISTINCT lower(name) FROM old_rows));
           RETURN NULL;
         END $$`,
        `CREATE FUNCTION mhsm_announce_updated_keys() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM mhsm_announce_keys(ARRAY(
             SELECT lower(name) FROM new_rows UNION SELECT lower(name) FROM old_rows));
           RETURN NULL;
         END $$`,
        `CREATE FUNCTION mhsm_announce_all(topic text) RETURNS void LANGUAGE sql AS
           $$ SELECT pg_notify('mhsm_changes', topic || ' ' || mhsm_sent_at()) $$`,
        `CREATE FUNCTION mhsm_announce_all_keys() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN PERFORM mhsm_announce_all('keys'); RETURN NULL; END $$`,
        `CREATE FUNCTION mhsm_announce_rbac() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN PERFORM mhsm_announce_all('rbac'); RETURN NULL; END $$`,
      ];
      // Transition tables (one statement's rows at once) allow one event per trigger.
      for (const table of ["keys", "key_versions"]) {
        statements.push(
          `CREATE TRIGGER ${table}_inserted_announce AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION mhsm_announce_new_keys()`,
          `CREATE TRIGGER ${table}_updated_announce AFTER UPDATE ON ${table}
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION mhsm_announce_updated_keys()`,
          `CREATE TRIGGER ${table}_deleted_announce AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
             FOR EACH STATEMENT EXECUTE FUNCTION mhsm_announce_old_keys()`,
          `CREATE TRIGGER ${table}_truncated_announce AFTER TRUNCATE ON ${table}
             FOR EACH STATEMENT EXECUTE FUNCTION mhsm_announce_all_keys()`,
        );
      }
      // RBAC decisions and the live principals are cached whole: any change drops them.
      for (const table of ["role_definitions", "role_assignments", "principals"]) {
        statements.push(
          `CREATE TRIGGER ${table}_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
             FOR EACH STATEMENT EXECUTE FUNCTION mhsm_announce_rbac()`,
        );
      }
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  await migrate(db, (migrator) => migrator.migrateToLatest());
}

/** Brings a schema to exactly `name`: tests of a migration start from the one before it. */
export async function migrateUpTo(db: Kysely<unknown>, name: string): Promise<void> {
  await migrate(db, (migrator) => migrator.migrateTo(name));
}

async function migrate(
  db: Kysely<unknown>,
  run: (migrator: Migrator) => ReturnType<Migrator["migrateToLatest"]>,
): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await run(migrator);
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? "");
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${reason}`);
  }
}
