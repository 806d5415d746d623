import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { runServeExpectingFailure } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

const DAY_S = 86_400;

/**
 * Two HSMs with different security domains: one with the defaults, one configured with purge
 * protection and the shortest retention. Purge is refused under protection; a key backup made
 * by one HSM cannot be restored on the other.
 */
describe("keys: purge protection, retention settings, and backups across security domains", () => {
  let configDir: string;
  let protectedHsm: KeysFixture;
  let defaultHsm: KeysFixture;

  before(async () => {
    configDir = await mkdtemp(join(tmpdir(), "mhsm-keys-config-"));
    const config = join(configDir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        keys: { softDeleteRetentionDays: 7, purgeProtection: true, maintenanceIntervalSeconds: 1 },
      }),
    );
    [protectedHsm, defaultHsm] = await Promise.all([
      startKeysServer({ args: ["--config", config] }),
      startKeysServer(),
    ]);
  });
  after(async () => {
    await Promise.all([protectedHsm?.dispose(), defaultHsm?.dispose()]);
    await rm(configDir, { recursive: true, force: true });
  });

  it("keys say CustomizedRecoverable with 7 recoverable days", async () => {
    const key = await protectedHsm.keyClient.createEcKey("protected", { curve: "P-256" });
    assert.equal(key.properties.recoveryLevel, "CustomizedRecoverable");
    assert.equal(key.properties.recoverableDays, 7);
    const plain = await defaultHsm.keyClient.createEcKey("unprotected", { curve: "P-256" });
    assert.equal(plain.properties.recoveryLevel, "Recoverable+Purgeable");
  });

  it("a deleted key is kept 7 days, cannot be purged before then, and can be recovered", async () => {
    const { keyClient } = protectedHsm;
    await keyClient.createOctKey("kept", { keySize: 128 });
    const deleted = await (await keyClient.beginDeleteKey("kept", { intervalInMs: 10 })).pollUntilDone();
    const retention =
      ((deleted.properties.scheduledPurgeDate?.getTime() ?? 0) -
        (deleted.properties.deletedOn?.getTime() ?? 0)) /
      1000;
    assert.equal(retention, 7 * DAY_S);

    const refused = await protectedHsm.request("DELETE", "/deletedkeys/kept");
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.error.code, "Forbidden");
    assert.equal(refused.json.error.innererror?.code, "PurgeProtectionEnabled");
    assert.match(refused.json.error.message, /purge protection is enabled on this HSM/);
    await assert.rejects(
      keyClient.purgeDeletedKey("kept"),
      (error: unknown) => error instanceof RestError && error.statusCode === 403,
    );

    assert.equal((await keyClient.getDeletedKey("kept")).name, "kept", "still there");
    await (await keyClient.beginRecoverDeletedKey("kept", { intervalInMs: 10 })).pollUntilDone();
    assert.equal((await keyClient.getKey("kept")).name, "kept");
  });

  it("a retention outside 7..90 days stops the server with a message naming the setting", async () => {
    const config = join(configDir, "bad.json");
    await writeFile(config, JSON.stringify({ keys: { softDeleteRetentionDays: 5 } }));
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-keys-bad-"));
    try {
      const result = await runServeExpectingFailure(["--config", config, "--data-dir", dataDir]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /keys\.softDeleteRetentionDays/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("the server rotates a key when its policy says so, on its own, and keeps the old version", async () => {
    // Due at once: the version expires in a day and the policy rotates 7 days before expiry.
    const { keyClient } = protectedHsm;
    const original = await keyClient.createEcKey("auto-rotated", {
      curve: "P-256",
      expiresOn: new Date(Date.now() + DAY_S * 1000),
    });
    await keyClient.updateKeyRotationPolicy("auto-rotated", {
      lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P7D" }],
      expiresIn: "P30D",
    });
    const versions = await waitFor(
      async () => {
        const listed: string[] = [];
        for await (const version of keyClient.listPropertiesOfKeyVersions("auto-rotated"))
          listed.push(version.version ?? "");
        return listed;
      },
      {
        what: "a second version made by the maintenance timer",
        timeoutMs: 15_000,
        intervalMs: 200,
        until: (listed) => listed.length > 1,
      },
    );
    assert.equal(versions.length, 2, "rotated once by the maintenance timer");
    assert.ok(versions.includes(original.properties.version ?? ""));
    const current = await keyClient.getKey("auto-rotated");
    assert.notEqual(current.properties.version, original.properties.version);
    const expiresIn = (current.properties.expiresOn?.getTime() ?? 0) - Date.now();
    assert.ok(Math.abs(expiresIn - 30 * DAY_S * 1000) < 60_000, "the new version expires per the policy");
  });

  it("a key backup from one HSM is refused by an HSM with another security domain", async () => {
    const blob = await defaultHsm.keyClient.backupKey("unprotected");
    assert.ok(blob);
    const response = await protectedHsm.request("POST", "/keys/restore", {
      value: Buffer.from(blob).toString("base64url"),
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.json.error.code, "BadParameter");
    assert.match(response.json.error.message, /another security domain/);
    assert.equal((await protectedHsm.request("GET", "/keys/unprotected")).status, 404);
  });
});
