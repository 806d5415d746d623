import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashClientSecret, verifyClientSecret } from "./client-secret-hash.js";

describe("client secret hashing (scrypt)", () => {
  it("verifies the right secret only, and salts each hash", async () => {
    const hash = await hashClientSecret("s3cret");
    assert.match(hash, /^scrypt\$15\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.ok(!hash.includes("s3cret"));
    assert.equal(await verifyClientSecret("s3cret", hash), true);
    assert.equal(await verifyClientSecret("s3cret ", hash), false);
    assert.notEqual(await hashClientSecret("s3cret"), hash);
  });
  it("rejects malformed stored hashes instead of throwing", async () => {
    assert.equal(await verifyClientSecret("x", "plain"), false);
    assert.equal(await verifyClientSecret("x", "md5$1$2$3$4$5"), false);
  });
});
