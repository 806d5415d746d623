import assert from "node:assert/strict";
import { constants, createHash, generateKeyPairSync, verify } from "node:crypto";
import { describe, it } from "node:test";
import { RsaSignerPool } from "./rsa-signer-pool.js";

describe("RsaSignerPool (RSA signing on worker threads)", () => {
  it("signs many digests at once on several threads; every signature verifies", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pool = new RsaSignerPool(2);
    try {
      const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`message ${i}`));
      const signatures = await Promise.all(
        messages.map((message, i) =>
          pool.sign(
            privateKey,
            i % 2 ? "pss" : "pkcs1",
            "sha256",
            createHash("sha256").update(message).digest(),
          ),
        ),
      );
      signatures.forEach((signature, i) => {
        const options =
          i % 2 ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : publicKey;
        assert.ok(verify("sha256", messages[i] as Buffer, options, signature), `signature ${i}`);
      });
    } finally {
      await pool.close();
    }
  });

  it("rejects work after it is closed", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pool = new RsaSignerPool(1);
    await pool.close();
    await assert.rejects(pool.sign(privateKey, "pss", "sha256", Buffer.alloc(32)), /closed/);
  });
});
