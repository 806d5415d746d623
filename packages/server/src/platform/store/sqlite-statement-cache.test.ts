import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { guardStorageErrors } from "./sqlite-database.js";

describe("SQLite: each query text is prepared once", () => {
  let dir: string;
  let connection: BetterSqlite3.Database;
  let db: Kysely<{ items: { id: number; name: string } }>;
  const prepared: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-statements-"));
    connection = new BetterSqlite3(join(dir, "test.db"));
    const counting = new Proxy(connection, {
      get(target, property) {
        if (property === "prepare") {
          return (text: string) => {
            prepared.push(text);
            return target.prepare(text);
          };
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    db = new Kysely({ dialect: new SqliteDialect({ database: guardStorageErrors(counting) }) });
    await sql`CREATE TABLE items (id integer primary key, name text not null)`.execute(db);
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it("reuses the prepared statement of a query run again with other parameters", async () => {
    for (let id = 1; id <= 5; id++)
      await db
        .insertInto("items")
        .values({ id, name: `n${id}` })
        .execute();
    const select = (id: number) => db.selectFrom("items").selectAll().where("id", "=", id).executeTakeFirst();
    assert.deepEqual(await select(2), { id: 2, name: "n2" });
    assert.deepEqual(await select(4), { id: 4, name: "n4" });
    const texts = prepared.filter((text) => text.startsWith("select"));
    assert.equal(texts.length, 1, "one prepare for two runs");
    assert.equal(prepared.filter((text) => text.startsWith("insert")).length, 1);
  });

  it("answers with the new schema after a column is added under a cached statement", async () => {
    const all = () => sql<Record<string, unknown>>`SELECT * FROM items WHERE id = ${1}`.execute(db);
    assert.deepEqual((await all()).rows, [{ id: 1, name: "n1" }]);
    await sql`ALTER TABLE items ADD COLUMN extra text`.execute(db);
    assert.deepEqual((await all()).rows, [{ id: 1, name: "n1", extra: null }]);
  });

  it("streams with a statement of its own, so the cached one stays usable", async () => {
    const names: string[] = [];
    for await (const row of db.selectFrom("items").select("name").orderBy("id").stream())
      names.push(row.name);
    assert.deepEqual(names, ["n1", "n2", "n3", "n4", "n5"]);
    const again = await db.selectFrom("items").select("name").orderBy("id").execute();
    assert.equal(again.length, 5);
  });
});
