import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { KeyClient } from "@azure/keyvault-keys";
import { createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

/** What a client of the official JS SDK sees of the catalog's texts (RestError.message). */
describe("official JS SDK (@azure/keyvault-keys KeyClient): error texts", () => {
  let fx: KeysFixture;
  before(async () => {
    fx = await startKeysServer();
  });
  after(() => fx?.dispose());

  async function restError(promise: Promise<unknown>): Promise<RestError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof RestError, `expected a RestError, got ${String(error)}`);
      return error;
    }
    assert.fail("expected an error");
  }

  it("getKey of a missing key: 404 KeyNotFound, the message is the wire's", async () => {
    const error = await restError(fx.keyClient.getKey("no-such-key"));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, "KeyNotFound");
    assert.match(error.message, /^A key with \(name\/id\) no-such-key was not found in this HSM\./);
    assert.match(error.message, /\(Activity ID: [0-9a-f-]+\)$/);
  });

  it("restoreKeyBackup of a malformed blob: 'Backup blob contains invalid or corrupt version.'", async () => {
    // The blob the SDK's own test sends to the service (a zero-filled Uint8Array(8693)).
    const error = await restError(fx.keyClient.restoreKeyBackup(new Uint8Array(8693)));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, "BadParameter");
    assert.match(
      error.message,
      /^Backup blob contains invalid or corrupt version\. \(Activity ID: [0-9a-f-]+\)$/,
    );
  });

  it("createKey by a principal with no role: 403 AccessDenied, 'Not authorized to access <action> on <scope>'", async () => {
    const stranger = await createPrincipal(fx.server, "no roles");
    const client = new KeyClient(fx.server.url, fx.credentialFor(stranger), fx.clientOptions);
    const error = await restError(client.createKey("not-mine", "EC"));
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, "AccessDenied");
    assert.match(
      error.message,
      /^Not authorized to access Microsoft\.KeyVault\/managedHsm\/keys\/create on \/keys\/not-mine \(Activity ID: [0-9a-f-]+\)$/,
    );
  });
});
