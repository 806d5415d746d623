import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Kysely, sql } from "kysely";
import { migrateToLatest, migrateUpTo } from "./migrations.js";
import type { Database } from "./schema.js";
import { openSqliteDatabase } from "./sqlite-database.js";

const BEFORE_CASE_FOLDING = "0004_job_leases";
const ROLE = "21dbd100-6940-42c2-9190-5d6cb909625b";
const PRINCIPAL = "7f0b3c1e-52a4-4a8e-9d0c-3f6a1b2c4d5e";

describe("migration 0005: case-insensitive key names", () => {
  let dir: string;
  const open: Kysely<Database>[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-migrations-"));
  });
  after(async () => {
    for (const db of open) await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function databaseAt0004(file: string, keyNames: string[]): Promise<Kysely<Database>> {
    const db = openSqliteDatabase(join(dir, file));
    open.push(db);
    await migrateUpTo(db as Kysely<unknown>, BEFORE_CASE_FOLDING);
    for (const name of keyNames) {
      // The 0004 schema's columns, whatever later migrations add.
      await sql`INSERT INTO keys (name, current_version, created_at) VALUES (${name}, 'v1', 1)`.execute(db);
    }
    return db;
  }

  const assignment = (name: string, scope: string, createdAt: number) => ({
    name,
    scope,
    role_definition_name: ROLE,
    principal_id: PRINCIPAL,
    created_at: createdAt,
  });

  it("lower-cases key scopes, keeps one of two grants that differ only in case, and refuses a second spelling of a key", async () => {
    const db = await databaseAt0004("upgrade.sqlite", ["Payments"]);
    await db
      .insertInto("role_assignments")
      .values([
        assignment("a-older", "/keys/Payments", 1),
        assignment("b-newer", "/keys/payments", 2),
        assignment("c-other-key", "/keys/Ledger", 3),
        assignment("d-hsm", "/", 4),
      ])
      .execute();
    await migrateToLatest(db as Kysely<unknown>);
    const rows = await db.selectFrom("role_assignments").select(["name", "scope"]).orderBy("name").execute();
    assert.deepEqual(rows, [
      { name: "a-older", scope: "/keys/payments" },
      { name: "c-other-key", scope: "/keys/ledger" },
      { name: "d-hsm", scope: "/" },
    ]);
    const kept = await db.selectFrom("keys").select("name").execute();
    assert.deepEqual(kept, [{ name: "Payments" }], "a key keeps its spelling");
    await assert.rejects(
      sql`INSERT INTO keys (name, current_version, created_at) VALUES ('PAYMENTS', 'v2', 2)`.execute(db),
      /UNIQUE constraint failed/,
    );
  });

  it("stops with the clashing names when two keys differ only in case, and changes nothing", async () => {
    const db = await databaseAt0004("clash.sqlite", ["Orders", "orders", "unique-one"]);
    await db
      .insertInto("role_assignments")
      .values(assignment("x", "/keys/Orders", 1))
      .execute();
    await assert.rejects(migrateToLatest(db as Kysely<unknown>), /differ only in case.*: orders/);
    const scope = await db.selectFrom("role_assignments").select("scope").executeTakeFirstOrThrow();
    assert.equal(scope.scope, "/keys/Orders", "the failed migration left the data as it was");
    const indexes = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index'`.execute(
      db,
    );
    assert.ok(!indexes.rows.some((row) => row.name === "keys_by_folded_name"));
  });
});
