import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Barrier } from "../../platform/barrier/barrier.js";
import { DomainError } from "../../platform/errors/domain-error.js";
import { openSqliteDatabase } from "../../platform/store/sqlite-database.js";
import { TransactionRunner } from "../../platform/store/store.js";
import { KeyRepository, type KeyStore } from "./key-repository.js";
import { DeletedKeyService } from "./deleted-key-service.js";
import { KeyLookup } from "./key-lookup.js";
import { KeyMaintenance } from "./key-maintenance.js";
import { KeyMaterialCache } from "./key-material-cache.js";
import type { KeyVersion } from "./key-model.js";
import type { KeyNearExpiryNotices } from "./key-notices.js";
import { KeyService } from "./key-service.js";

const DAY = 86_400_000;

/**
 * The maintenance loop against a real SQLite store, with the clock under the test's control:
 * the only way to see "on time" across days without waiting for them.
 */
describe("key maintenance: scheduled rotation and purge of expired deleted keys", () => {
  let dir: string;
  let store: KeyStore;
  let now = Date.UTC(2025, 0, 1);
  const clock = () => now;
  const errors: unknown[] = [];
  let keys: KeyService;
  let deleted: DeletedKeyService;
  let maintenance: KeyMaintenance;
  /** The notices given, and whether the next delivery fails (as a webhook that is down). */
  const notices = { given: [] as KeyVersion[], failNext: false };
  const noticeSink: KeyNearExpiryNotices = {
    ready: () => true,
    async nearExpiry(version) {
      if (notices.failNext) {
        notices.failNext = false;
        throw new Error("the events webhook answered HTTP 503");
      }
      notices.given.push(version);
    },
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-maintenance-"));
    const barrier = Barrier.fromDomainKey(randomBytes(32));
    store = await TransactionRunner.open(openSqliteDatabase(join(dir, "test.db")), "sqlite", (db) => ({
      keys: new KeyRepository(db, barrier),
    }));
    const cache = new KeyMaterialCache(store.keys, 1024 * 1024);
    const lookup = new KeyLookup(store, 1000, 1024 * 1024, clock);
    keys = new KeyService(store, lookup, clock);
    deleted = new DeletedKeyService(store, { retentionDays: 7, purgeProtection: true }, cache, lookup, clock);
    maintenance = new KeyMaintenance(
      store,
      keys,
      deleted,
      (_message, error) => errors.push(error),
      noticeSink,
      clock,
    );
  });
  after(async () => {
    await maintenance.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("rotates a key when timeAfterCreate has passed, once, keeping the old versions", async () => {
    const first = await keys.create(
      "rotating",
      { kty: "EC-HSM", curve: "P-256" },
      { tags: { team: "a" }, keyOps: ["sign"] },
    );
    await keys.create("unmanaged", { kty: "oct-HSM", keySize: 128 }, {});
    await keys.setRotationPolicy("rotating", {
      lifetimeActions: [{ trigger: { timeAfterCreate: "P30D" }, action: { type: "Rotate" } }],
      attributes: { expiryTime: "P90D" },
    });

    now += 29 * DAY;
    assert.deepEqual((await maintenance.runOnce()).rotated, [], "not due yet");

    now += 2 * DAY;
    assert.deepEqual((await maintenance.runOnce()).rotated, ["rotating"]);
    assert.deepEqual((await maintenance.runOnce()).rotated, [], "the new version is not due");

    const versions = await keys.listVersions("rotating", undefined, 100);
    assert.equal(versions.length, 2);
    assert.equal(versions[0]?.version, first.version);
    const current = (await keys.get("rotating")).version;
    assert.notEqual(current.version, first.version);
    assert.deepEqual(current.tags, { team: "a" });
    assert.deepEqual(current.keyOps, ["sign"]);
    assert.equal(
      current.attributes.expires,
      now + 90 * DAY,
      "the policy's expiryTime applies to the new version",
    );
    assert.notDeepEqual(current.publicKey, first.publicKey, "new key material");
    assert.equal((await keys.listVersions("unmanaged", undefined, 100)).length, 1);
  });

  it("rotates timeBeforeExpiry before the current version expires", async () => {
    await keys.create("expiring", { kty: "oct-HSM", keySize: 256 }, { expires: now + 40 * DAY });
    await keys.setRotationPolicy("expiring", {
      lifetimeActions: [{ trigger: { timeBeforeExpiry: "P10D" }, action: { type: "Rotate" } }],
    });
    now += 29 * DAY;
    assert.ok(!(await maintenance.runOnce()).rotated.includes("expiring"));
    now += 2 * DAY;
    assert.ok((await maintenance.runOnce()).rotated.includes("expiring"));
    assert.equal((await keys.listVersions("expiring", undefined, 100)).length, 2);
  });

  it("purges a deleted key when its retention ends, not before; purge protection refuses earlier purges", async () => {
    await keys.create("doomed", { kty: "oct-HSM", keySize: 128 }, {});
    await deleted.delete("doomed");
    await assert.rejects(
      deleted.purge("doomed"),
      (error: unknown) => error instanceof DomainError && error.code === "Forbidden",
    );
    now += 7 * DAY - 1;
    assert.deepEqual((await maintenance.runOnce()).purged, []);
    assert.ok(await deleted.get("doomed"));
    now += 1;
    assert.deepEqual((await maintenance.runOnce()).purged, ["doomed"]);
    await assert.rejects(
      deleted.get("doomed"),
      (error: unknown) => error instanceof DomainError && error.code === "KeyNotFound",
    );
    assert.equal(await store.keys.getKey("doomed"), undefined);
    // The name is free again.
    await keys.create("doomed", { kty: "oct-HSM", keySize: 128 }, {});
    assert.deepEqual(errors, []);
  });

  it("gives a Notify action's near-expiry notice once per version, on time, retrying a failed delivery", async () => {
    const first = await keys.create(
      "noticed",
      { kty: "EC-HSM", curve: "P-256" },
      { expires: now + 40 * DAY },
    );
    await keys.create("never-expires", { kty: "EC-HSM", curve: "P-256" }, {});
    for (const name of ["noticed", "never-expires"]) {
      await keys.setRotationPolicy(name, {
        lifetimeActions: [{ trigger: { timeBeforeExpiry: "P10D" }, action: { type: "Notify" } }],
      });
    }
    now += 30 * DAY - 1;
    assert.deepEqual((await maintenance.runOnce()).notified, [], "not due yet");
    now += 1;
    notices.failNext = true;
    assert.deepEqual((await maintenance.runOnce()).notified, [], "the delivery failed");
    assert.equal(errors.length, 1);
    errors.length = 0;
    assert.deepEqual((await maintenance.runOnce()).notified, ["noticed"], "retried on the next run");
    assert.deepEqual((await maintenance.runOnce()).notified, [], "once per version");
    assert.deepEqual(
      notices.given.map((version) => [version.name, version.version, version.attributes.expires]),
      [["noticed", first.version, first.attributes.expires]],
    );
    assert.equal((await keys.listVersions("noticed", undefined, 100)).length, 1, "Notify does not rotate");

    // A new version (here by hand, with a later expiry) gets its own notice when it is due.
    await keys.update("noticed", undefined, { expires: now + 5 * DAY });
    assert.deepEqual((await maintenance.runOnce()).notified, [], "the same version: already given");
    const second = await keys.rotate("noticed");
    await keys.update("noticed", second?.version, { expires: now + 20 * DAY });
    assert.deepEqual((await maintenance.runOnce()).notified, []);
    now += 10 * DAY;
    assert.deepEqual((await maintenance.runOnce()).notified, ["noticed"]);
    assert.equal(notices.given.at(-1)?.version, second?.version);
    assert.deepEqual(errors, []);
  });

  it("a deleted key with a rotation policy is not rotated", async () => {
    await keys.create("deleted-rotating", { kty: "oct-HSM", keySize: 128 }, {});
    await keys.setRotationPolicy("deleted-rotating", {
      lifetimeActions: [{ trigger: { timeAfterCreate: "P7D" }, action: { type: "Rotate" } }],
    });
    now += DAY;
    await deleted.delete("deleted-rotating"); // purged at +8 days; rotation due at +7 days
    now += 6.5 * DAY;
    assert.ok(!(await maintenance.runOnce()).rotated.includes("deleted-rotating"));
    await deleted.recover("deleted-rotating");
    assert.ok((await maintenance.runOnce()).rotated.includes("deleted-rotating"));
  });
});
