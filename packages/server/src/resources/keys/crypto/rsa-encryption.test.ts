import assert from "node:assert/strict";
import {
  type KeyPairKeyObjectResult,
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { before, describe, it } from "node:test";
import { openssl } from "../../../../../../test/keys/support/openssl.js";
import {
  RsaDecryptionError,
  RsaPlaintextTooLongError,
  rsaDecrypt,
  rsaEncrypt,
  unpadPkcs1Type2,
} from "./rsa-encryption.js";

describe("RSA encryption (RSA-OAEP, RSA-OAEP-256, RSA1_5)", () => {
  let pair: KeyPairKeyObjectResult;
  let publicPem: string;
  let privatePem: string;
  before(() => {
    pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    publicPem = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
    privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  });

  it("decrypts what openssl encrypted, for each padding", () => {
    const cases = [
      { scheme: "pkcs1v15", hash: undefined, opts: ["-pkeyopt", "rsa_padding_mode:pkcs1"] },
      { scheme: "oaep", hash: "sha1", opts: ["-pkeyopt", "rsa_padding_mode:oaep"] },
      {
        scheme: "oaep",
        hash: "sha256",
        opts: [
          "-pkeyopt",
          "rsa_padding_mode:oaep",
          "-pkeyopt",
          "rsa_oaep_md:sha256",
          "-pkeyopt",
          "rsa_mgf1_md:sha256",
        ],
      },
    ] as const;
    for (const { scheme, hash, opts } of cases) {
      const plaintext = randomBytes(32);
      const ciphertext = openssl(
        (dir) => [
          "pkeyutl",
          "-encrypt",
          "-pubin",
          "-inkey",
          `${dir}/pub.pem`,
          "-in",
          `${dir}/plain`,
          "-out",
          `${dir}/ct`,
          ...opts,
        ],
        { "pub.pem": publicPem, plain: plaintext },
        "ct",
      );
      assert.deepEqual(rsaDecrypt(pair.privateKey, scheme, hash, ciphertext), plaintext, `${scheme} ${hash}`);
    }
  });

  it("encrypts what openssl decrypts (OAEP-256)", () => {
    const plaintext = randomBytes(48);
    const ciphertext = rsaEncrypt(pair.publicKey, "oaep", "sha256", plaintext);
    const decrypted = openssl(
      (dir) => [
        "pkeyutl",
        "-decrypt",
        "-inkey",
        `${dir}/key.pem`,
        "-in",
        `${dir}/ct`,
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
      ],
      { "key.pem": privatePem, ct: ciphertext },
    );
    assert.deepEqual(decrypted, plaintext);
  });

  it("RSA1_5 round trip, and node's own PKCS#1 encryption decrypts", () => {
    const plaintext = randomBytes(100);
    const viaNode = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, plaintext);
    assert.deepEqual(rsaDecrypt(pair.privateKey, "pkcs1v15", undefined, viaNode), plaintext);
    const ours = rsaEncrypt(pair.publicKey, "pkcs1v15", undefined, plaintext);
    assert.deepEqual(rsaDecrypt(pair.privateKey, "pkcs1v15", undefined, ours), plaintext);
  });

  it("one error for every bad ciphertext, and a distinct one for plaintext too long", () => {
    const good = rsaEncrypt(pair.publicKey, "oaep", "sha1", Buffer.from("x"));
    const altered = Buffer.from(good);
    altered[5] = (altered[5] as number) ^ 0xff;
    assert.throws(() => rsaDecrypt(pair.privateKey, "oaep", "sha1", altered), RsaDecryptionError);
    assert.throws(() => rsaDecrypt(pair.privateKey, "oaep", "sha256", good), RsaDecryptionError);
    // An OAEP block opens as PKCS#1 v1.5 when it happens to start 00 02 (about 1 in 256):
    // refused is only promised for one that does not, so take such a ciphertext.
    let notPkcs1 = good;
    while (privateDecrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, notPkcs1)[1] === 2) {
      notPkcs1 = rsaEncrypt(pair.publicKey, "oaep", "sha1", Buffer.from("x"));
    }
    assert.throws(() => rsaDecrypt(pair.privateKey, "pkcs1v15", undefined, notPkcs1), RsaDecryptionError);
    assert.throws(() => rsaDecrypt(pair.privateKey, "oaep", "sha1", good.subarray(1)), RsaDecryptionError);
    assert.throws(
      () => rsaEncrypt(pair.publicKey, "oaep", "sha256", Buffer.alloc(191)),
      RsaPlaintextTooLongError,
    );
    assert.ok(rsaEncrypt(pair.publicKey, "oaep", "sha256", Buffer.alloc(190)));
    assert.throws(
      () => rsaEncrypt(pair.publicKey, "pkcs1v15", undefined, Buffer.alloc(246)),
      RsaPlaintextTooLongError,
    );
  });

  it("PKCS#1 type 2 unpadding checks the header, the separator and 8 bytes of padding", () => {
    const block = (header: number[], padding: number, message: Buffer) =>
      Buffer.concat([Buffer.from(header), Buffer.alloc(padding, 0x5a), Buffer.of(0), message]);
    const message = Buffer.from("secret");
    assert.deepEqual(unpadPkcs1Type2(block([0, 2], 8, message)), message);
    assert.deepEqual(unpadPkcs1Type2(block([0, 2], 100, Buffer.alloc(0))), Buffer.alloc(0));
    assert.throws(() => unpadPkcs1Type2(block([0, 2], 7, message)), RsaDecryptionError);
    assert.throws(() => unpadPkcs1Type2(block([0, 1], 8, message)), RsaDecryptionError);
    assert.throws(() => unpadPkcs1Type2(block([1, 2], 8, message)), RsaDecryptionError);
    assert.throws(
      () => unpadPkcs1Type2(Buffer.concat([Buffer.of(0, 2), Buffer.alloc(50, 0x11)])),
      RsaDecryptionError,
    );
    // The raw operation is OpenSSL's: check privateDecrypt with no padding gives the block back.
    const raw = privateDecrypt(
      { key: pair.privateKey, padding: constants.RSA_NO_PADDING },
      publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, message),
    );
    assert.deepEqual(unpadPkcs1Type2(raw), message);
  });
});
