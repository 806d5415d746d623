import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

/** Every api-version the server answers (platform/http/api-version.ts). */
const VERSIONS = [
  "7.2",
  "7.3",
  "7.4",
  "7.4-preview.1",
  "7.5",
  "7.5-preview.1",
  "7.6",
  "7.6-preview.2",
  "2025-07-01",
  "2026-04-01",
];

/**
 * The read-only key attributes beyond the basics, per api-version (key-wire.ts says why):
 * `key_size` for symmetric (oct-HSM) keys only, and no `hsmPlatform` (a real Managed HSM leaves
 * it out, and this software HSM must not claim an HSM platform).
 */
describe("key attributes per api-version: key_size and hsmPlatform", () => {
  let fx: KeysFixture;
  const get = (path: string, version: string) =>
    rawRequest(fx.server, { method: "GET", path: `${path}?api-version=${version}`, token: fx.token });

  before(async () => {
    fx = await startKeysServer();
    for (const [name, body] of [
      ["attr-aes", { kty: "oct-HSM", key_size: 192 }],
      ["attr-rsa", { kty: "RSA-HSM", key_size: 2048 }],
      ["attr-ec", { kty: "EC-HSM", crv: "P-256" }],
    ] as const) {
      const created = await fx.request("POST", `/keys/${name}/create`, body);
      assert.equal(created.status, 200, created.text);
    }
  });
  after(() => fx?.dispose());

  it("gives an oct-HSM key's key_size, and none for RSA or EC, in get and list, on every version", async () => {
    for (const version of VERSIONS) {
      const aes = await get("/keys/attr-aes", version);
      assert.equal(aes.status, 200, `${version}: ${aes.text}`);
      assert.equal(aes.json.attributes.key_size, 192, version);
      for (const name of ["attr-rsa", "attr-ec"]) {
        const other = await get(`/keys/${name}`, version);
        assert.equal(other.status, 200, `${version}: ${other.text}`);
        assert.ok(!("key_size" in other.json.attributes), `${version} ${name}: ${other.text}`);
      }
      const versions = await get("/keys/attr-aes/versions", version);
      assert.equal(versions.json.value[0].attributes.key_size, 192, version);
    }
  });

  it("never says hsmPlatform, on any version, in get, list or the deleted key", async () => {
    for (const version of VERSIONS) {
      for (const name of ["attr-aes", "attr-rsa", "attr-ec"]) {
        const key = await get(`/keys/${name}`, version);
        assert.ok(!("hsmPlatform" in key.json.attributes), `${version} ${name}: ${key.text}`);
      }
      const list = await get("/keys", version);
      for (const item of list.json.value as Array<{ attributes: object }>) {
        assert.ok(!("hsmPlatform" in item.attributes), `${version}: ${list.text}`);
      }
    }
    const deleted = await fx.request("DELETE", "/keys/attr-ec");
    assert.equal(deleted.status, 200, deleted.text);
    assert.ok(!("hsmPlatform" in deleted.json.attributes), deleted.text);
  });

  it("leaves the JS SDK's properties.hsmPlatform undefined (getKey and listPropertiesOfKeys)", async () => {
    const key = await fx.keyClient.getKey("attr-rsa");
    assert.equal(key.keyType, "RSA-HSM");
    assert.equal(key.properties.hsmPlatform, undefined);
    assert.equal(key.properties.exportable, false);
    for await (const properties of fx.keyClient.listPropertiesOfKeys()) {
      assert.equal(properties.hsmPlatform, undefined, properties.name);
    }
  });
});
