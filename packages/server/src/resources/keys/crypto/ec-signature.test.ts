import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { describe, it } from "node:test";
import { opensslVerifies, p1363ToDer } from "../../../../../../test/keys/support/openssl.js";
import { OPENSSL_CURVE } from "../key-material.js";
import { EcdsaKey } from "./ec-signature.js";

const CASES = [
  { curve: "P-256", hash: "sha256", bytes: 64 },
  { curve: "P-256K", hash: "sha256", bytes: 64 },
  { curve: "P-384", hash: "sha384", bytes: 96 },
  { curve: "P-521", hash: "sha512", bytes: 132 },
] as const;

describe("ECDSA over a given digest", () => {
  for (const { curve, hash, bytes } of CASES) {
    it(`${curve}: signs the digest itself (node's hashing verify and openssl pkeyutl agree)`, () => {
      const pair = generateKeyPairSync("ec", { namedCurve: OPENSSL_CURVE[curve] });
      const key = new EcdsaKey(pair.privateKey, curve);
      const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
      for (let i = 0; i < 5; i++) {
        const message = randomBytes(64);
        const digest = createHash(hash).update(message).digest();
        const signature = key.sign(digest);
        assert.equal(signature.length, bytes);
        assert.ok(verify(hash, message, { key: pair.publicKey, dsaEncoding: "ieee-p1363" }, signature));
        if (i === 0) {
          assert.ok(
            opensslVerifies(
              (dir) => [
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                `${dir}/pub.pem`,
                "-in",
                `${dir}/digest`,
                "-sigfile",
                `${dir}/sig`,
              ],
              { "pub.pem": publicPem, digest, sig: p1363ToDer(signature) },
            ),
          );
        }
        assert.ok(key.verify(digest, signature));
      }
    });

    it(`${curve}: verifies node's signatures and refuses altered ones`, () => {
      const pair = generateKeyPairSync("ec", { namedCurve: OPENSSL_CURVE[curve] });
      const key = new EcdsaKey(pair.privateKey, curve);
      const message = randomBytes(40);
      const digest = createHash(hash).update(message).digest();
      const signature = sign(hash, message, { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
      assert.ok(key.verify(digest, signature));
      assert.equal(key.verify(createHash(hash).update("other").digest(), signature), false);
      const altered = Buffer.from(signature);
      altered[3] = (altered[3] as number) ^ 1;
      assert.equal(key.verify(digest, altered), false);
      assert.equal(key.verify(digest, signature.subarray(1)), false);
      assert.equal(key.verify(digest, Buffer.alloc(bytes)), false);
      assert.equal(key.verify(digest, Buffer.alloc(bytes, 0xff)), false);
    });
  }
});
