import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPython } from "../harness/python.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

describe("official Python SDK (azure-keyvault-keys from python3-azure): keys and crypto", () => {
  let fx: KeysFixture;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;

  before(async () => {
    fx = await startKeysServer();
    out = await runPython(join(import.meta.dirname, "python/keys_sdk.py"), fx.server);
  });
  after(() => fx?.dispose());

  it("creates RSA 3072 (public exponent), EC P-256K and oct 256 keys; responses say -HSM, no oct bytes", () => {
    assert.deepEqual(
      out.created.map((k: { kty: string }) => k.kty),
      ["RSA-HSM", "EC-HSM", "oct-HSM"],
    );
    assert.equal(out.rsa_n_bytes, 384);
    assert.equal(out.oct_has_k, false);
    for (const key of out.created)
      assert.match(key.id, new RegExp(`^${fx.server.url}/keys/py-[a-z]+/[0-9a-f]{32}$`));
  });

  it("gets the latest version (empty-version form) and a named one", () => {
    assert.equal(out.latest_is_second, true);
    assert.equal(out.by_version_x_matches, true);
    assert.equal(out.versions.length, 2);
  });

  it("lists keys in pages of max_page_size", () => {
    assert.ok(out.key_pages.length >= 3);
    assert.ok(out.key_pages.every((page: string[]) => page.length <= 2));
    const names = out.key_pages.flat();
    for (const name of ["py-paged-0", "py-paged-1", "py-paged-2", "py-rsa", "py-ec", "py-oct"]) {
      assert.ok(names.includes(name), name);
    }
  });

  it("updates enabled, tags and key operations", () => {
    assert.deepEqual(out.updated, { enabled: false, tags: { team: "py" }, ops: ["wrapKey", "unwrapKey"] });
  });

  it("imports an RSA JWK made by the cryptography package and returns no private members", () => {
    assert.deepEqual(out.imported, { kty: "RSA-HSM", has_d: false, has_p: false });
  });

  it("PS256, RS256 and ES256K signatures verify with the cryptography package from the public JWK", () => {
    assert.deepEqual(out.signatures, { PS256: true, RS256: true, ES256K: true, server_verify_ps256: true });
  });

  it("RSA-OAEP-256, AES-GCM (checked with cryptography's AESGCM) and AES key wrap", () => {
    assert.equal(out.rsa_oaep_256_round_trip, true);
    assert.deepEqual(out.gcm, { local: "python gcm", server: "python gcm", iv_len: 12, tag_len: 16 });
    assert.equal(out.aes_kw_round_trip, true);
  });

  it("sets a rotation policy and rotates", () => {
    assert.equal(out.rotation.expires_in, "P90D");
    assert.deepEqual(out.rotation.actions, [["Rotate", "P30D"]]);
    assert.equal(out.rotation.new_version, true);
    assert.equal(out.rotation.new_expiry, true);
  });

  it("soft-deletes, lists, recovers and purges; a deleted name is a 409", () => {
    assert.deepEqual(out.deleted, {
      recovery_id: `${fx.server.url}/deletedkeys/py-oct`,
      has_dates: true,
      listed: true,
      fetched: "py-oct",
    });
    assert.equal(out.reuse_deleted_name.status, 409);
    assert.equal(out.reuse_deleted_name.type, "ResourceExistsError");
    assert.equal(out.recovered, "py-oct");
    assert.equal(out.after_purge.status, 404);
    assert.equal(out.after_purge.type, "ResourceNotFoundError");
  });

  it("backs up and restores a key with its versions; random bytes; 404 for a missing key", () => {
    assert.deepEqual(out.restored, { id_matches: true, versions: 2 });
    assert.equal(out.random, 32);
    assert.deepEqual(out.missing, { status: 404, type: "ResourceNotFoundError", code: "KeyNotFound" });
  });
});
