import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Kysely } from "kysely";
import { migrateToLatest } from "../../platform/store/migrations.js";
import type { Database } from "../../platform/store/schema.js";
import { openSqliteDatabase } from "../../platform/store/sqlite-database.js";
import type { PrincipalRepository } from "../identity/principal-repository.js";
import { SnapshotRepository, lowerKeyScope } from "./snapshot-repository.js";

describe("role assignments of older backups", () => {
  it("lower-cases key scopes, as migration 0005 did to stored rows", () => {
    const row = { name: "a", scope: "/keys/Payments", role_definition_name: "r", principal_id: "p" };
    assert.deepEqual(lowerKeyScope(row), { ...row, scope: "/keys/payments" });
  });

  it("returns the same row when nothing needs changing, so a restore can tell an old backup", () => {
    for (const scope of ["/", "/keys", "/keys/ledger", "/keys/ledger-2"]) {
      const row = { name: "a", scope, role_definition_name: "r", principal_id: "p" };
      assert.equal(lowerKeyScope(row), row);
    }
  });
});

describe("snapshot reads and restore writes, on a real SQLite database", () => {
  let dir: string;
  let db: Kysely<Database>;
  let snapshots: SnapshotRepository;
  const assignment = (name: string, scope: string, createdAt: number) => ({
    name,
    scope,
    role_definition_name: "r",
    principal_id: "p",
    created_at: createdAt,
    orphaned_at: null,
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-snapshots-"));
    db = openSqliteDatabase(join(dir, "mhsm.db"));
    await migrateToLatest(db as unknown as Kysely<unknown>);
    // Principals are not read here.
    snapshots = new SnapshotRepository(db, undefined as unknown as PrincipalRepository);
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the oldest of an old backup's assignments that now name one grant, across chunks", async () => {
    // First chunk: rows that need no change go in as they are.
    await snapshots.insert("role_assignments", [
      assignment("b-newer", "/keys/payments", 20),
      assignment("c-keep", "/keys/ledger", 30),
    ]);
    // A later chunk: an older grant under another spelling replaces the newer one; a newer one
    // of a grant already there is left out.
    await snapshots.mergeRoleAssignments(
      [assignment("a-older", "/keys/Payments", 10), assignment("d-newest", "/keys/LEDGER", 40)].map(
        lowerKeyScope,
      ),
    );
    const rows = await db.selectFrom("role_assignments").select(["name", "scope"]).orderBy("name").execute();
    assert.deepEqual(rows, [
      { name: "a-older", scope: "/keys/payments" },
      { name: "c-keep", scope: "/keys/ledger" },
    ]);
  });

  it("pages a table in its read order, at most `size` rows a page, every row once", async () => {
    await snapshots.clear();
    const created = Array.from({ length: 23 }, (_, i) => assignment(`n${i}`, `/keys/k${i}`, 1000 - i));
    await snapshots.insert("role_assignments", created);
    const pages: string[][] = [];
    for await (const page of snapshots.pages("role_assignments", 5))
      pages.push(page.map((row) => String(row.name)));
    assert.deepEqual(
      pages.map((page) => page.length),
      [5, 5, 5, 5, 3],
    );
    // Oldest first: the order in which an upgrade keeps the oldest of coinciding grants.
    assert.deepEqual(pages.flat(), created.map((row) => row.name).reverse());
    assert.equal(await snapshots.count("role_assignments"), 23);
  });
});
