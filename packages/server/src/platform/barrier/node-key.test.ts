import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase } from "../store/sqlite-database.js";
import { type Store, TransactionRunner } from "../store/store.js";
import { Barrier } from "./barrier.js";
import { NodeKeyError, checkNodeKeyFitsStore, escrowNodeKey, loadNodeKey } from "./node-key.js";

/**
 * Nodes of one HSM on one database: with the domain key they agree on one node key through
 * the store's escrow; without it, a node with a key of its own is refused with a message that
 * says what to do.
 */
const PROBE = "test.sealedUnderNodeKey";

describe("node key: file, escrow under the domain key, and the check against the store", () => {
  let dir: string;
  let store: Store;
  const domainKey = randomBytes(32);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-node-key-"));
    store = await TransactionRunner.open(openSqliteDatabase(join(dir, "mhsm.db")), "sqlite", () => ({}));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives every node with the domain key the same node key, and keeps it in an owner-only node.key", async () => {
    const first = await loadNodeKey({ file: join(dir, "a.key"), meta: store.meta, domainKey });
    const second = await loadNodeKey({ file: join(dir, "b.key"), meta: store.meta, domainKey });
    assert.deepEqual(second, first);
    assert.equal((await stat(join(dir, "a.key"))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dir, "a.key"), "utf8"), /^mhsm-node-key v1 /);
    // A later start reads the file; no domain key needed.
    assert.deepEqual(
      await loadNodeKey({ file: join(dir, "a.key"), meta: store.meta, domainKey: undefined }),
      first,
    );
    await escrowNodeKey(store.meta, first, domainKey);
    // A record sealed under the node key, as the identity provider's signing key is.
    await store.meta.getOrInsert(PROBE, Barrier.fromNodeKey(first).seal(randomBytes(32), PROBE));
    await checkNodeKeyFitsStore(store.meta, Barrier.fromNodeKey(first), "a.key", PROBE);
  });

  it("refuses a node key of its own on a store whose secrets another node key sealed", async () => {
    const own = await loadNodeKey({ file: join(dir, "c.key"), meta: store.meta, domainKey: undefined });
    await assert.rejects(
      checkNodeKeyFitsStore(store.meta, Barrier.fromNodeKey(own), "c.key", PROBE),
      (error: unknown) =>
        error instanceof NodeKeyError && /c\.key does not open this store's secrets/.test(error.message),
    );
    await assert.rejects(
      escrowNodeKey(store.meta, own, domainKey),
      /differs from the node key of the other nodes/,
    );
    await assert.rejects(
      loadNodeKey({ file: join(dir, "d.key"), meta: store.meta, domainKey: randomBytes(32) }),
      /another domain key than this node's domain\.key/,
    );
  });
});
