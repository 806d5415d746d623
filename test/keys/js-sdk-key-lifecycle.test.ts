import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import type { JsonWebKey, KeyType, KeyVaultKey } from "@azure/keyvault-keys";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

const POLL = { intervalInMs: 10 };
const DAY_MS = 86_400_000;

/** The JS SDK's JsonWebKey (Uint8Array members) from node's JWK export (base64url strings). */
function sdkJwk(jwk: Record<string, unknown>, kty: string): JsonWebKey {
  const result: Record<string, unknown> = { kty };
  for (const [member, value] of Object.entries(jwk)) {
    if (member === "kty") continue;
    if (member === "crv") result.crv = value === "secp256k1" ? "P-256K" : value;
    else result[member] = new Uint8Array(Buffer.from(value as string, "base64url"));
  }
  return result as JsonWebKey;
}

async function rejectsWith(promise: Promise<unknown>, status: number, code?: string): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RestError, `expected a RestError, got ${String(error)}`);
    assert.equal(error.statusCode, status, error.message);
    if (code) assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected a ${status} error`);
}

describe("official JS SDK (@azure/keyvault-keys KeyClient): key lifecycle", () => {
  let fx: KeysFixture;
  before(async () => {
    fx = await startKeysServer();
  });
  after(() => fx?.dispose());

  it("creates RSA-HSM 2048/3072/4096, EC-HSM on four curves and oct-HSM of three sizes; requests say RSA/EC/oct, responses -HSM", async () => {
    const { keyClient } = fx;
    for (const [size, hsm] of [
      [2048, false],
      [3072, true],
      [4096, false],
    ] as const) {
      const key = await keyClient.createRsaKey(`rsa-${size}`, { keySize: size, hsm });
      assert.equal(key.keyType, "RSA-HSM");
      assert.equal(key.key?.n?.length, size / 8);
      assert.deepEqual([...(key.key?.e ?? [])], [1, 0, 1]);
      assert.deepEqual(key.keyOperations, ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
      assert.match(key.id ?? "", new RegExp(`^${fx.server.url}/keys/rsa-${size}/[0-9a-f]{32}$`));
      assert.equal(key.key?.d, undefined);
    }
    for (const [curve, bytes] of [
      ["P-256", 32],
      ["P-256K", 32],
      ["P-384", 48],
      ["P-521", 66],
    ] as const) {
      const key = await keyClient.createEcKey(`ec-${curve}`, { curve, hsm: curve === "P-384" });
      assert.equal(key.keyType, "EC-HSM");
      assert.equal(key.key?.crv, curve);
      assert.equal(key.key?.x?.length, bytes);
      assert.equal(key.key?.d, undefined);
      assert.deepEqual(key.keyOperations, ["sign", "verify"]);
    }
    for (const size of [128, 192, 256]) {
      const key = await keyClient.createOctKey(`oct-${size}`, { keySize: size, hsm: size === 256 });
      assert.equal(key.keyType, "oct-HSM");
      assert.equal(key.key?.k, undefined, "an oct key's bytes never leave the HSM");
      const raw = await fx.request("GET", `/keys/oct-${size}`);
      assert.equal(raw.json.attributes.key_size, size);
    }
    // A Managed HSM takes the key type "AES" and makes an oct-HSM key of the asked size.
    const aes = await keyClient.createKey("aes-256", "AES" as KeyType, { keySize: 256 });
    assert.equal(aes.keyType, "oct-HSM");
    assert.equal((await fx.request("GET", "/keys/aes-256")).json.attributes.key_size, 256);
    const defaults = await keyClient.createKey("ec-default", "EC");
    assert.equal(defaults.key?.crv, "P-256", "EC defaults to P-256");
    assert.equal(defaults.properties.recoveryLevel, "Recoverable+Purgeable");
    assert.equal(defaults.properties.recoverableDays, 90);
    assert.equal(defaults.properties.exportable, false);
  });

  it("creates RSA keys with a public exponent given on the wire", async () => {
    const response = await fx.request("POST", "/keys/rsa-e3/create", {
      kty: "RSA",
      key_size: 2048,
      public_exponent: 3,
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.key.e, "Aw");
  });

  it("gets the latest version, a named version, and the trailing-slash form", async () => {
    const { keyClient } = fx;
    const first = await keyClient.createEcKey("versioned", { curve: "P-256" });
    const second = await keyClient.createEcKey("versioned", { curve: "P-384" });
    assert.notEqual(first.properties.version, second.properties.version);
    assert.equal((await keyClient.getKey("versioned")).properties.version, second.properties.version);
    const old = await keyClient.getKey("versioned", { version: first.properties.version });
    assert.equal(old.key?.crv, "P-256");
    assert.deepEqual(old.key?.x, first.key?.x);
    for (const path of ["/keys/versioned/", "/keys/versioned"]) {
      const raw = await fx.request("GET", path);
      assert.equal(raw.status, 200);
      assert.equal(raw.json.key.kid, second.id);
    }
    await rejectsWith(keyClient.getKey("versioned", { version: "0".repeat(32) }), 404, "KeyNotFound");
    await rejectsWith(keyClient.getKey("no-such-key"), 404, "KeyNotFound");
  });

  it("lists keys and versions page by page (maxresults, absolute nextLink on the client's host)", async () => {
    const { keyClient } = fx;
    for (let i = 0; i < 5; i++) await keyClient.createOctKey(`paged-${i}`, { keySize: 128 });
    for (let i = 0; i < 4; i++) await keyClient.createOctKey("many-versions", { keySize: 128 });

    const pages: string[][] = [];
    for await (const page of keyClient.listPropertiesOfKeys().byPage({ maxPageSize: 3 })) {
      pages.push(page.map((p) => p.name));
    }
    assert.ok(pages.length > 1);
    assert.ok(pages.every((page) => page.length <= 3));
    const names = pages.flat();
    assert.deepEqual(names, [...names].sort(), "by name");
    assert.equal(new Set(names).size, names.length, "no repeats across pages");
    for (let i = 0; i < 5; i++) assert.ok(names.includes(`paged-${i}`));

    const first = await fx.request("GET", "/keys?maxresults=2");
    assert.equal(first.json.value.length, 2);
    const next = new URL(first.json.nextLink);
    assert.equal(next.origin, fx.server.url);
    assert.equal(next.searchParams.get("maxresults"), "2");
    assert.match(first.json.value[0].kid, /\/keys\/[a-zA-Z0-9-]+$/, "list items name the key, not a version");

    const versions = [];
    for await (const page of keyClient
      .listPropertiesOfKeyVersions("many-versions")
      .byPage({ maxPageSize: 3 })) {
      assert.ok(page.length <= 3);
      versions.push(...page);
    }
    assert.equal(versions.length, 4);
    assert.ok(versions.every((v) => /^[0-9a-f]{32}$/.test(v.version ?? "")));
    assert.equal(new Set(versions.map((v) => v.version)).size, 4);
  });

  it("updates enabled, nbf/exp, tags and key_ops of a version", async () => {
    const { keyClient } = fx;
    const key = await keyClient.createRsaKey("updatable", { keySize: 2048, tags: { a: "1" } });
    const expiresOn = new Date(Date.now() + 30 * DAY_MS);
    expiresOn.setMilliseconds(0);
    const updated = await keyClient.updateKeyProperties("updatable", key.properties.version ?? "", {
      enabled: false,
      expiresOn,
      tags: { team: "payments" },
      keyOps: ["sign", "verify"],
    });
    assert.equal(updated.properties.enabled, false);
    assert.equal(updated.properties.expiresOn?.getTime(), expiresOn.getTime());
    assert.deepEqual(updated.properties.tags, { team: "payments" });
    assert.deepEqual(updated.keyOperations, ["sign", "verify"]);
    const read = await keyClient.getKey("updatable");
    assert.equal(read.properties.enabled, false);
    assert.deepEqual(read.keyOperations, ["sign", "verify"]);
    // The latest version, without naming it.
    const again = await keyClient.updateKeyProperties("updatable", { enabled: true });
    assert.equal(again.properties.enabled, true);
    assert.deepEqual(again.properties.tags, { team: "payments" }, "what is not given stays");
    await rejectsWith(keyClient.updateKeyProperties("updatable", { keyOps: ["bogus"] }), 400, "BadParameter");
  });

  it("imports RSA, EC and oct JWKs with private parts, and never returns the private parts", async () => {
    const { keyClient } = fx;
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsaJwk = rsa.privateKey.export({ format: "jwk" });
    const importedRsa = await keyClient.importKey("imported-rsa", sdkJwk(rsaJwk, "RSA"), {
      tags: { src: "test" },
    });
    assert.equal(importedRsa.keyType, "RSA-HSM");
    assert.deepEqual(Buffer.from(importedRsa.key?.n ?? []).toString("base64url"), rsaJwk.n);
    for (const member of ["d", "p", "q", "dp", "dq", "qi"] as const)
      assert.equal(importedRsa.key?.[member], undefined);

    const ec = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const ecJwk = ec.privateKey.export({ format: "jwk" });
    const importedEc = await keyClient.importKey("imported-ec", sdkJwk(ecJwk, "EC-HSM"));
    assert.equal(importedEc.key?.crv, "P-256K");
    assert.equal(Buffer.from(importedEc.key?.x ?? []).toString("base64url"), ecJwk.x);
    assert.equal(importedEc.key?.d, undefined);

    const secret = randomBytes(32);
    const importedOct = await keyClient.importKey("imported-oct", {
      kty: "oct",
      k: new Uint8Array(secret),
      keyOps: ["wrapKey", "unwrapKey"],
    });
    assert.equal(importedOct.keyType, "oct-HSM");
    assert.equal(importedOct.key?.k, undefined);
    assert.deepEqual(importedOct.keyOperations, ["wrapKey", "unwrapKey"]);

    for (const name of ["imported-rsa", "imported-ec", "imported-oct"]) {
      const raw = await fx.request("GET", `/keys/${name}`);
      for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"])
        assert.equal(raw.json.key[member], undefined, `${name}.${member}`);
      assert.ok(!raw.text.includes(secret.toString("base64url")));
      assert.ok(!raw.text.includes(rsaJwk.d as string));
    }
  });

  it("rotates on request and keeps the rotation policy", async () => {
    const { keyClient } = fx;
    const original = await keyClient.createEcKey("rotated", { curve: "P-256", tags: { owner: "x" } });
    const policy = await keyClient.updateKeyRotationPolicy("rotated", {
      lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P90D" }],
      expiresIn: "P180D",
    });
    assert.equal(policy.expiresIn, "P180D");
    assert.deepEqual(policy.lifetimeActions, [
      { action: "Rotate", timeAfterCreate: "P90D", timeBeforeExpiry: undefined },
    ]);
    assert.equal(policy.id, `${fx.server.url}/keys/rotated/rotationpolicy`);
    const read = await keyClient.getKeyRotationPolicy("rotated");
    assert.deepEqual(read.lifetimeActions, policy.lifetimeActions);
    assert.ok(read.createdOn instanceof Date);

    const rotated = await keyClient.rotateKey("rotated");
    assert.notEqual(rotated.properties.version, original.properties.version);
    assert.notDeepEqual(rotated.key?.x, original.key?.x);
    assert.deepEqual(rotated.properties.tags, { owner: "x" });
    const expected = Date.now() + 180 * DAY_MS;
    assert.ok(
      Math.abs((rotated.properties.expiresOn?.getTime() ?? 0) - expected) < 60_000,
      "policy expiryTime on the new version",
    );
    const versions = [];
    for await (const version of keyClient.listPropertiesOfKeyVersions("rotated"))
      versions.push(version.version);
    assert.deepEqual(new Set(versions), new Set([original.properties.version, rotated.properties.version]));
    const none = await keyClient.getKeyRotationPolicy("rsa-2048");
    assert.deepEqual(none.lifetimeActions, []);
  });

  it("soft-deletes, lists and gets deleted keys, recovers, purges; a deleted name is not reusable until purged", async () => {
    const { keyClient } = fx;
    const key = await keyClient.createOctKey("deletable", { keySize: 256 });
    const poller = await keyClient.beginDeleteKey("deletable", POLL);
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.properties.recoveryId, `${fx.server.url}/deletedkeys/deletable`);
    assert.ok(deleted.properties.deletedOn instanceof Date);
    const retention =
      (deleted.properties.scheduledPurgeDate?.getTime() ?? 0) -
      (deleted.properties.deletedOn?.getTime() ?? 0);
    assert.equal(retention, 90 * DAY_MS);
    assert.equal(deleted.properties.version, key.properties.version);

    const fetched = await keyClient.getDeletedKey("deletable");
    assert.equal(fetched.properties.recoveryId, deleted.properties.recoveryId);
    const listed = [];
    for await (const item of keyClient.listDeletedKeys()) listed.push(item.name);
    assert.ok(listed.includes("deletable"));
    await rejectsWith(keyClient.getKey("deletable"), 404, "KeyNotFound");
    const names = [];
    for await (const item of keyClient.listPropertiesOfKeys()) names.push(item.name);
    assert.ok(!names.includes("deletable"));

    await rejectsWith(keyClient.createOctKey("deletable", { keySize: 128 }), 409, "Conflict");

    const recovered = await (await keyClient.beginRecoverDeletedKey("deletable", POLL)).pollUntilDone();
    assert.equal(recovered.properties.version, key.properties.version);
    assert.equal((await keyClient.getKey("deletable")).id, key.id);

    await (await keyClient.beginDeleteKey("deletable", POLL)).pollUntilDone();
    await keyClient.purgeDeletedKey("deletable");
    await rejectsWith(keyClient.getDeletedKey("deletable"), 404, "KeyNotFound");
    const fresh = await keyClient.createOctKey("deletable", { keySize: 128 });
    assert.notEqual(fresh.properties.version, key.properties.version);
    await rejectsWith(keyClient.purgeDeletedKey("never-deleted"), 404, "KeyNotFound");
  });

  it("backs up a key with all its versions and restores it after a purge", async () => {
    const { keyClient } = fx;
    const first = await keyClient.createEcKey("backed-up", { curve: "P-256" });
    const second = await keyClient.createEcKey("backed-up", { curve: "P-256", tags: { v: "2" } });
    const blob = await keyClient.backupKey("backed-up");
    assert.ok(blob && blob.length > 100);
    await rejectsWith(keyClient.restoreKeyBackup(blob), 409, "Conflict");
    await (await keyClient.beginDeleteKey("backed-up", POLL)).pollUntilDone();
    await rejectsWith(keyClient.restoreKeyBackup(blob), 409, "Conflict");
    await keyClient.purgeDeletedKey("backed-up");

    const restored: KeyVaultKey = await keyClient.restoreKeyBackup(blob);
    assert.equal(restored.id, second.id);
    assert.deepEqual(restored.properties.tags, { v: "2" });
    const versions = [];
    for await (const version of keyClient.listPropertiesOfKeyVersions("backed-up"))
      versions.push(version.version);
    assert.deepEqual(new Set(versions), new Set([first.properties.version, second.properties.version]));
    // The same key material: a signature by the restored first version verifies under its old public key.
    const digest = createHash("sha256").update("after restore").digest();
    const signed = await fx.cryptoClient(first.id ?? "").sign("ES256", digest);
    const verified = await fx.cryptoClient(first).verify("ES256", digest, signed.result);
    assert.equal(verified.result, true);
  });

  it("gets 1 to 128 random bytes", async () => {
    const { keyClient } = fx;
    assert.equal((await keyClient.getRandomBytes(1)).length, 1);
    const a = await keyClient.getRandomBytes(128);
    const b = await keyClient.getRandomBytes(128);
    assert.equal(a.length, 128);
    assert.notDeepEqual(a, b);
    for (const count of [0, 129, -1]) {
      const response = await fx.request("POST", "/rng", { count });
      assert.equal(response.status, 400);
      assert.equal(response.json.error.code, "BadParameter");
    }
  });
});
