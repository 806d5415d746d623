import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type SoftHsmToken,
  createSoftHsmToken,
  listTokenObjects,
  pkcs11ServeOptions,
} from "../harness/softhsm.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";

const policy = {
  contentType: "application/json; charset=utf-8",
  data: Buffer.from(
    JSON.stringify({
      version: "1.0.0",
      anyOf: [
        { authority: "https://attestation.example.test", allOf: [{ claim: "sdk-test", equals: true }] },
      ],
    }),
  ).toString("base64url"),
};

/**
 * Secure key release on the pkcs11 backend: its keys never leave the token, and mhsm cannot yet
 * wrap one to an attested environment inside the token (SoftHSM2 has no CKM_RSA_AES_KEY_WRAP).
 * An exportable key is therefore refused at creation and import, clearly, and nothing is made:
 * neither a key in the database nor an object in the token. A software-backed key that was
 * exportable could only arrive by restore; releasing it is refused the same way (key-release-service).
 */
describe("pkcs11 backend: exportable keys are refused, not half made", () => {
  let token: SoftHsmToken;
  let fx: KeysFixture;

  before(async () => {
    token = createSoftHsmToken("mhsm-release");
    fx = await startKeysServer(pkcs11ServeOptions(token));
  });
  after(async () => {
    await fx?.dispose();
    token?.remove();
  });

  it("refuses to create or import an exportable key, and makes nothing", async () => {
    const before = listTokenObjects(token).length;
    const created = await fx.request("POST", "/keys/exportable-rsa/create", {
      kty: "RSA-HSM",
      key_size: 2048,
      attributes: { exportable: true },
      release_policy: policy,
    });
    assert.equal(created.status, 400, created.text);
    assert.equal(created.json.error.code, "BadParameter");
    assert.match(created.json.error.message, /not available on this HSM's PKCS#11 backend/);

    const imported = await fx.request("PUT", "/keys/exportable-oct", {
      key: {
        kty: "oct-HSM",
        k: Buffer.alloc(32, 7).toString("base64url"),
        key_ops: ["wrapKey", "unwrapKey"],
      },
      attributes: { exportable: true },
      release_policy: policy,
    });
    assert.equal(imported.status, 400, imported.text);
    assert.match(imported.json.error.message, /PKCS#11 backend/);

    for (const name of ["exportable-rsa", "exportable-oct"]) {
      assert.equal((await fx.request("GET", `/keys/${name}`)).status, 404, `${name} was not made`);
    }
    const objects = listTokenObjects(token);
    assert.equal(objects.length, before, "no token object was made");
    assert.ok(!objects.some((object) => object.label.startsWith("exportable-")));
  });

  it("still makes the same key when it is not exportable", async () => {
    const created = await fx.request("POST", "/keys/plain-rsa/create", { kty: "RSA-HSM", key_size: 2048 });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.attributes.exportable, false);
    assert.ok(listTokenObjects(token).some((object) => object.label.startsWith("plain-rsa/")));
  });
});
