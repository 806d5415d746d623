import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";
import { ROLE, assignRole } from "./support/roles.js";

const digest = () => randomBytes(32).toString("base64url");
const versionOf = (kid: string) => kid.split("/").pop() as string;

/**
 * Key Vault identifiers are case-insensitive: /keys/Payments and /keys/payments are one key,
 * which keeps the spelling it was created with. Lookups, new versions, soft delete, backups and
 * key-scoped role assignments all follow.
 */
describe("keys: names are case-insensitive, and keep the spelling they were created with", () => {
  let fx: KeysFixture;
  before(async () => {
    fx = await startKeysServer();
  });
  after(() => fx?.dispose());

  it("finds a key under any spelling and answers with its own", async () => {
    const created = await fx.request("POST", "/keys/Payments-Key/create", { kty: "EC", crv: "P-256" });
    assert.equal(created.status, 200, created.text);
    assert.match(created.json.key.kid, /\/keys\/Payments-Key\/[0-9a-f]{32}$/);
    for (const spelling of ["payments-key", "PAYMENTS-KEY", "pAyMeNtS-kEy"]) {
      const got = await fx.request("GET", `/keys/${spelling}`);
      assert.equal(got.status, 200, `${spelling}: ${got.text}`);
      assert.equal(got.json.key.kid, created.json.key.kid);
      const byVersion = await fx.request("GET", `/keys/${spelling}/${versionOf(created.json.key.kid)}`);
      assert.equal(byVersion.json.key.kid, created.json.key.kid);
    }
    const signed = await fx.request("POST", "/keys/payments-key/sign", { alg: "ES256", value: digest() });
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.json.kid, created.json.key.kid);
  });

  it("adds a version to the same key when another spelling is created, and lists one key", async () => {
    const first = await fx.request("POST", "/keys/Ledger/create", { kty: "oct", key_size: 256 });
    const second = await fx.request("POST", "/keys/LEDGER/create", { kty: "oct", key_size: 256 });
    assert.equal(second.status, 200, second.text);
    assert.match(second.json.key.kid, /\/keys\/Ledger\/[0-9a-f]{32}$/);
    assert.notEqual(versionOf(second.json.key.kid), versionOf(first.json.key.kid));
    const versions = await fx.request("GET", "/keys/ledger/versions");
    assert.deepEqual(
      versions.json.value.map((item: { kid: string }) => versionOf(item.kid)).sort(),
      [versionOf(first.json.key.kid), versionOf(second.json.key.kid)].sort(),
    );
    const listed = await fx.request("GET", "/keys");
    const ledgers = listed.json.value.filter((item: { kid: string }) => /\/keys\/ledger$/i.test(item.kid));
    assert.deepEqual(
      ledgers.map((item: { kid: string }) => item.kid.split("/").pop()),
      ["Ledger"],
    );
    const updated = await fx.request("PATCH", "/keys/lEdGeR/", { tags: { spelled: "mixed" } });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual((await fx.request("GET", "/keys/Ledger")).json.tags, { spelled: "mixed" });
    const rotated = await fx.request("POST", "/keys/ledger/rotate");
    assert.equal(rotated.status, 200, rotated.text);
    assert.match(rotated.json.key.kid, /\/keys\/Ledger\/[0-9a-f]{32}$/);
  });

  it("soft-deletes, holds the name in every spelling, recovers and purges under any spelling", async () => {
    assert.equal((await fx.request("POST", "/keys/Archive/create", { kty: "EC" })).status, 200);
    const deleted = await fx.request("DELETE", "/keys/ARCHIVE");
    assert.equal(deleted.status, 200, deleted.text);
    assert.match(deleted.json.recoveryId, /\/deletedkeys\/Archive$/);
    assert.equal((await fx.request("GET", "/keys/archive")).status, 404);
    const taken = await fx.request("POST", "/keys/archive/create", { kty: "EC" });
    assert.equal(taken.status, 409, taken.text);
    assert.equal((await fx.request("GET", "/deletedkeys/archive")).status, 200);
    assert.equal((await fx.request("POST", "/deletedkeys/aRcHiVe/recover")).status, 200);
    assert.equal((await fx.request("GET", "/keys/Archive")).status, 200);
    assert.equal((await fx.request("DELETE", "/keys/archive")).status, 200);
    assert.equal((await fx.request("DELETE", "/deletedkeys/ARCHIVE")).status, 204);
    assert.equal((await fx.request("GET", "/deletedkeys/Archive")).status, 404);
  });

  it("restores a key backup only while no spelling of its name is taken", async () => {
    assert.equal((await fx.request("POST", "/keys/Vaulted/create", { kty: "RSA" })).status, 200);
    const backup = await fx.request("POST", "/keys/vaulted/backup");
    assert.equal(backup.status, 200, backup.text);
    const taken = await fx.request("POST", "/keys/restore", { value: backup.json.value });
    assert.equal(taken.status, 409, taken.text);
    assert.equal((await fx.request("DELETE", "/keys/VAULTED")).status, 200);
    assert.equal((await fx.request("DELETE", "/deletedkeys/vaulted")).status, 204);
    const restored = await fx.request("POST", "/keys/restore", { value: backup.json.value });
    assert.equal(restored.status, 200, restored.text);
    assert.match(restored.json.key.kid, /\/keys\/Vaulted\/[0-9a-f]{32}$/);
  });

  it("applies a key-scoped role assignment to the key under any spelling, and to no other key", async () => {
    assert.equal((await fx.request("POST", "/keys/Scoped-Signer/create", { kty: "EC" })).status, 200);
    assert.equal((await fx.request("POST", "/keys/unrelated/create", { kty: "EC" })).status, 200);
    const user = await createPrincipal(fx.server, "case-scoped");
    await assignRole(fx.server, user.objectId, ROLE.cryptoUser, "/keys/SCOPED-signer");
    for (const spelling of ["Scoped-Signer", "scoped-signer", "SCOPED-SIGNER"]) {
      const signed = await fx.request(
        "POST",
        `/keys/${spelling}/sign`,
        { alg: "ES256", value: digest() },
        user.token,
      );
      assert.equal(signed.status, 200, `${spelling}: ${signed.text}`);
    }
    const other = await fx.request(
      "POST",
      "/keys/unrelated/sign",
      { alg: "ES256", value: digest() },
      user.token,
    );
    assert.equal(other.status, 403, other.text);
    // The assignment is listed at the key's scope under any spelling.
    const listed = await fx.request(
      "GET",
      "/keys/Scoped-Signer/providers/Microsoft.Authorization/roleAssignments",
    );
    assert.equal(listed.status, 200, listed.text);
    assert.ok(
      listed.json.value.some(
        (assignment: { properties: { principalId: string; scope: string } }) =>
          assignment.properties.principalId === user.objectId &&
          assignment.properties.scope === "/keys/scoped-signer",
      ),
      listed.text,
    );
  });
});
