import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPython } from "../harness/python.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";

describe("official Python SDK (azure-keyvault-keys 4.8.0b3): release_key, KeyReleasePolicy against the built-in test authority", () => {
  let fx: KeysFixture;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;
  before(async () => {
    fx = await startKeysServer({ args: ["--test-attestation-authority"] });
    out = await runPython(join(import.meta.dirname, "python/release_sdk.py"), fx.server);
  });
  after(() => fx?.dispose());

  it("creates an exportable key whose policy comes back canonical, with the default content type", () => {
    assert.equal(out.created.exportable, true);
    assert.equal(out.created.content_type, "application/json; charset=utf-8");
    assert.deepEqual(out.created.policy, {
      anyOf: [
        { anyOf: [{ claim: "sdk-test", equals: true }], authority: `${fx.server.url}/test-attestation/` },
      ],
      version: "1.0.0",
    });
  });

  it("releases with a generate-test-token token, enc and nonce as asked", () => {
    assert.deepEqual(out.released, { enc: "RSA_AES_KEY_WRAP_384", nonce: "py-nonce", kty: "RSA" });
  });

  it("the cryptography package verifies the JWS with x5c[0] and unwraps the HSM's own key", () => {
    assert.equal(out.unwrapped_n_matches, true);
  });

  it("a policy update takes effect; an immutable policy cannot change; exportable needs a policy", () => {
    assert.deepEqual(out.updated_policy.anyOf[0].anyOf, [{ claim: "sdk-test", equals: false }]);
    assert.equal(out.release_after_update.status, 403);
    assert.equal(out.immutable, true);
    assert.equal(out.change_immutable.status, 400);
    assert.match(out.change_immutable.message, /immutable/);
    assert.equal(out.exportable_without_policy.status, 400);
    assert.match(out.exportable_without_policy.message, /Exportable keys must have release policy/);
  });
});
