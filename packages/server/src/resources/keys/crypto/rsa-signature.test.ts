import assert from "node:assert/strict";
import {
  type KeyPairKeyObjectResult,
  constants,
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { before, describe, it } from "node:test";
import { opensslVerifies } from "../../../../../../test/keys/support/openssl.js";
import { signPkcs1, signPss, verifyPkcs1, verifyPss } from "./rsa-signature.js";

const HASHES = [
  ["sha256", 32],
  ["sha384", 48],
  ["sha512", 64],
] as const;

describe("RSA signatures over a given digest", () => {
  let pair: KeyPairKeyObjectResult;
  let publicPem: string;
  before(() => {
    pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    publicPem = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
  });

  for (const [hash] of HASHES) {
    it(`RS (PKCS#1 v1.5, ${hash}) verifies with node's hashing verify and with openssl`, () => {
      const message = randomBytes(100);
      const digest = createHash(hash).update(message).digest();
      const signature = signPkcs1(pair.privateKey, hash, digest);
      assert.ok(verify(hash, message, pair.publicKey, signature));
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
            "-pkeyopt",
            `digest:${hash}`,
          ],
          { "pub.pem": publicPem, digest, sig: signature },
        ),
      );
      assert.ok(verifyPkcs1(pair.publicKey, hash, digest, signature));
      const other = createHash(hash).update("something else").digest();
      assert.equal(verifyPkcs1(pair.publicKey, hash, other, signature), false);
    });

    it(`PS (PSS, ${hash}, salt = hash length) verifies with node and openssl`, () => {
      const message = randomBytes(100);
      const digest = createHash(hash).update(message).digest();
      const signature = signPss(pair.privateKey, hash, digest);
      const pss = { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING };
      assert.ok(verify(hash, message, { ...pss, saltLength: digest.length }, signature));
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
            "-pkeyopt",
            `digest:${hash}`,
            "-pkeyopt",
            "rsa_padding_mode:pss",
            "-pkeyopt",
            "rsa_pss_saltlen:digest",
          ],
          { "pub.pem": publicPem, digest, sig: signature },
        ),
      );
      assert.ok(verifyPss(pair.publicKey, hash, digest, signature));
      // PSS is randomised: two signatures of one digest differ, both verify.
      assert.notDeepEqual(signPss(pair.privateKey, hash, digest), signature);
    });

    it(`PS verification (${hash}) accepts node's PSS signatures of any salt length and refuses altered ones`, () => {
      const message = randomBytes(50);
      const digest = createHash(hash).update(message).digest();
      for (const saltLength of [0, 20, digest.length, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
        const signature = sign(hash, message, {
          key: pair.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength,
        });
        assert.ok(verifyPss(pair.publicKey, hash, digest, signature), `salt ${saltLength}`);
        const altered = Buffer.from(signature);
        altered[10] = (altered[10] as number) ^ 1;
        assert.equal(verifyPss(pair.publicKey, hash, digest, altered), false);
      }
    });
  }

  it("refuses signatures of the wrong length without throwing", () => {
    const digest = randomBytes(32);
    assert.equal(verifyPss(pair.publicKey, "sha256", digest, Buffer.alloc(10)), false);
    assert.equal(verifyPkcs1(pair.publicKey, "sha256", digest, Buffer.alloc(300)), false);
    assert.equal(verifyPss(pair.publicKey, "sha256", digest, Buffer.alloc(256, 0xff)), false);
  });
});
