import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";
import { openSqliteDatabase } from "./sqlite-database.js";

/**
 * The SQLite store's two connections, on a real file: reads outside a transaction are answered
 * while a write transaction is open (and see only what was committed), while writes still wait
 * for the writer one at a time.
 */
describe("SQLite reads beside an open write transaction", () => {
  let dir: string;
  let db: Kysely<Database>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-split-"));
    db = openSqliteDatabase(join(dir, "test.db"));
    await sql`CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)`.execute(db);
    await db.insertInto("meta").values({ key: "committed", value: "1" }).execute();
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const keys = async () =>
    (await db.selectFrom("meta").select("key").orderBy("key").execute()).map((r) => r.key);

  // With one connection the read would wait for a commit that waits for the read: a timeout
  // makes that a failure rather than a hang.
  it(
    "answers a SELECT while a transaction holds the writer, with the last committed state",
    { timeout: 10_000 },
    async () => {
      const events: string[] = [];
      let finish = () => undefined as void;
      const held = new Promise<void>((resolve) => (finish = resolve));
      let started = () => undefined as void;
      const inside = new Promise<void>((resolve) => (started = resolve));
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto("meta").values({ key: "uncommitted", value: "2" }).execute();
        assert.deepEqual(
          (await trx.selectFrom("meta").select("key").orderBy("key").execute()).map((r) => r.key),
          ["committed", "uncommitted"],
          "the transaction reads its own writes",
        );
        started();
        await held;
        events.push("commit");
      });
      await inside;
      // The transaction is open and waiting: a read outside it is answered now.
      assert.deepEqual(await keys(), ["committed"], "the open transaction's row is not visible outside it");
      // A write outside it must wait for the writer: it completes only after the commit.
      const write = db
        .insertInto("meta")
        .values({ key: "after", value: "3" })
        .execute()
        .then(() => events.push("write"));
      events.push("read answered");
      finish();
      await Promise.all([transaction, write]);
      assert.deepEqual(events, ["read answered", "commit", "write"]);
      assert.deepEqual(await keys(), ["after", "committed", "uncommitted"]);
    },
  );

  it("gives the writer back after a rollback, which leaves nothing behind", async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("meta").values({ key: "rolled-back", value: "4" }).execute();
        throw new Error("the work failed");
      }),
      /the work failed/,
    );
    await db.insertInto("meta").values({ key: "next", value: "5" }).execute();
    assert.deepEqual(await keys(), ["after", "committed", "next", "uncommitted"]);
  });

  it("sends raw SQL and every write to the writer", async () => {
    // Raw SQL is not known to read only: it goes to the writer and works.
    await sql`UPDATE meta SET value = '6' WHERE key = 'next'`.execute(db);
    const row = await db.selectFrom("meta").select("value").where("key", "=", "next").executeTakeFirst();
    assert.equal(row?.value, "6");
  });
});
