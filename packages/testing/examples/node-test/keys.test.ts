// @mhsm/testing under node:test (run: node --import tsx --test examples/node-test/keys.test.ts).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { type Mhsm, startMhsm } from "@mhsm/testing";

describe("signing with a seeded HSM (node:test)", () => {
  let hsm: Mhsm;
  before(async () => {
    hsm = await startMhsm({ seed: new URL("../hsm-seed.json", import.meta.url).pathname });
  });
  after(() => hsm?.stop());

  it("signs with the seeded key as the seeded principal, and the signature verifies", async () => {
    const app = await hsm.principal("app");
    const keys = new KeyClient(hsm.url, app, hsm.clientOptions);
    const key = await keys.getKey("payments");
    assert.deepEqual(key.properties.tags, { team: "billing" });
    const crypto = new CryptographyClient(key, app, hsm.clientOptions);
    const digest = createHash("sha256").update("invoice 42").digest();
    const { result } = await crypto.sign("ES256", digest);
    assert.equal((await crypto.verify("ES256", digest, result)).result, true);
  });

  it("a new principal gets only the roles it is given", async () => {
    const reader = await hsm.principal("reader", [{ role: "Key Reader", scope: "/keys/documents" }]);
    const keys = new KeyClient(hsm.url, reader, hsm.clientOptions);
    assert.equal((await keys.getKey("documents")).keyType, "RSA-HSM");
    await assert.rejects(keys.getKey("payments"), { statusCode: 403 });
  });
});
