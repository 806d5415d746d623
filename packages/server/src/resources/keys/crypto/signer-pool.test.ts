import assert from "node:assert/strict";
import { type KeyObject, constants, createHash, generateKeyPairSync, verify } from "node:crypto";
import { describe, it } from "node:test";
import type { CurveName } from "../key-model.js";
import { InlineSigner, type PrivateKeySigner } from "./private-key-signer.js";
import { SignerPool } from "./signer-pool.js";

/** EC curves, with the hash a client pairs with each and OpenSSL's name for the curve. */
const CURVES: Array<{ curve: CurveName; openssl: string; hash: string }> = [
  { curve: "P-256", openssl: "prime256v1", hash: "sha256" },
  { curve: "P-256K", openssl: "secp256k1", hash: "sha256" },
  { curve: "P-384", openssl: "secp384r1", hash: "sha384" },
  { curve: "P-521", openssl: "secp521r1", hash: "sha512" },
];

/** ECDSA signatures over each curve from `signer`, each checked by node:crypto (OpenSSL). */
async function checkEcdsa(signer: PrivateKeySigner) {
  for (const { curve, openssl, hash } of CURVES) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: openssl });
    const messages = Array.from({ length: 12 }, (_, i) => Buffer.from(`${curve} message ${i}`));
    const signatures = await Promise.all(
      messages.map((message) =>
        signer.sign(privateKey, {
          scheme: "ecdsa",
          curve,
          digest: createHash(hash).update(message).digest(),
        }),
      ),
    );
    signatures.forEach((signature, i) => {
      const key = { key: publicKey, dsaEncoding: "ieee-p1363" as const };
      assert.ok(verify(hash, messages[i] as Buffer, key, signature), `${curve} signature ${i}`);
      assert.ok(!verify(hash, Buffer.from("another message"), key, signature));
    });
  }
}

describe("SignerPool (RSA and ECDSA signing on worker threads)", () => {
  it("signs many RSA digests at once on several threads; every signature verifies", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pool = new SignerPool(2);
    try {
      const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`message ${i}`));
      const signatures = await Promise.all(
        messages.map((message, i) =>
          pool.sign(privateKey, {
            scheme: i % 2 ? "pss" : "pkcs1",
            hash: "sha256",
            digest: createHash("sha256").update(message).digest(),
          }),
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

  it("signs ECDSA digests on every curve on the threads, verified by OpenSSL; so does the inline signer", async () => {
    const pool = new SignerPool(2);
    try {
      await checkEcdsa(pool);
    } finally {
      await pool.close();
    }
    await checkEcdsa(new InlineSigner());
  });

  it("signs again with a key the threads were told to forget (it is sent again)", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pool = new SignerPool(1);
    const sign = (key: KeyObject) =>
      pool.sign(key, { scheme: "ecdsa", curve: "P-256", digest: createHash("sha256").update("m").digest() });
    try {
      const first = await sign(privateKey);
      pool.forget(privateKey);
      const second = await sign(privateKey);
      for (const signature of [first, second]) {
        assert.ok(
          verify("sha256", Buffer.from("m"), { key: publicKey, dsaEncoding: "ieee-p1363" }, signature),
        );
      }
      assert.notDeepEqual(first, second, "hedged nonces: two signatures of one digest differ");
    } finally {
      await pool.close();
    }
  });

  it("rejects work after it is closed", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pool = new SignerPool(1);
    await pool.close();
    await assert.rejects(
      pool.sign(privateKey, { scheme: "pss", hash: "sha256", digest: Buffer.alloc(32) }),
      /closed/,
    );
  });
});
