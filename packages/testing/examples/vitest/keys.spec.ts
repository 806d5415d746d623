// @mhsm/testing under vitest (run: npx vitest run --root examples/vitest).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { type Mhsm, startMhsm } from "@mhsm/testing";

describe("signing with a seeded HSM (vitest)", () => {
  let hsm: Mhsm;
  beforeAll(async () => {
    hsm = await startMhsm({ seed: new URL("../hsm-seed.json", import.meta.url).pathname });
  }, 60_000);
  afterAll(() => hsm?.stop());

  it("signs with the seeded key as the seeded principal, and the signature verifies", async () => {
    const app = await hsm.principal("app");
    const keys = new KeyClient(hsm.url, app, hsm.clientOptions);
    const key = await keys.getKey("payments");
    expect(key.properties.tags).toEqual({ team: "billing" });
    const crypto = new CryptographyClient(key, app, hsm.clientOptions);
    const digest = createHash("sha256").update("invoice 42").digest();
    const { result } = await crypto.sign("ES256", digest);
    expect((await crypto.verify("ES256", digest, result)).result).toBe(true);
  });

  it("a new principal gets only the roles it is given", async () => {
    const reader = await hsm.principal("reader", [{ role: "Key Reader", scope: "/keys/documents" }]);
    const keys = new KeyClient(hsm.url, reader, hsm.clientOptions);
    expect((await keys.getKey("documents")).keyType).toBe("RSA-HSM");
    await expect(keys.getKey("payments")).rejects.toMatchObject({ statusCode: 403 });
  });
});
