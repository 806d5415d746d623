import assert from "node:assert/strict";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { DomainError } from "../errors/domain-error.js";
import { postgresStorageError } from "./database.js";
import { guardStorageErrors } from "./sqlite-database.js";

describe("a database that cannot store a write", () => {
  it("SQLite full: 507 InsufficientStorage, the transaction rolled back, the connection usable", async () => {
    const connection = new BetterSqlite3(":memory:");
    connection.exec("CREATE TABLE t (x BLOB)");
    connection.exec("INSERT INTO t VALUES (x'00')");
    // A real SQLITE_FULL: the database may not grow past a few pages.
    connection.pragma(`max_page_count = ${Number(connection.pragma("page_count", { simple: true })) + 4}`);
    const db = new Kysely<{ t: { x: Buffer } }>({
      dialect: new SqliteDialect({ database: guardStorageErrors(connection) }),
    });
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        for (let i = 0; i < 100; i++)
          await trx
            .insertInto("t")
            .values({ x: Buffer.alloc(4096) })
            .execute();
      }),
      (error: unknown) =>
        error instanceof DomainError &&
        error.code === "InsufficientStorage" &&
        /disk is full/.test(error.message),
    );
    assert.equal(connection.inTransaction, false);
    const { count } = await db
      .selectFrom("t")
      .select(sql<number>`count(*)`.as("count"))
      .executeTakeFirstOrThrow();
    assert.equal(count, 1, "nothing of the transaction stayed");
    await db.destroy();
  });

  it("PostgreSQL disk_full (53100): 507 InsufficientStorage; other errors stay as they are", () => {
    const mapped = postgresStorageError(Object.assign(new Error("could not extend file"), { code: "53100" }));
    assert.equal(mapped?.code, "InsufficientStorage");
    assert.equal(postgresStorageError(Object.assign(new Error("x"), { code: "23505" })), undefined);
  });
});
