import assert from "node:assert/strict";
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ClientSecretCredential } from "@azure/identity";
import type { CryptographyClient, KeyVaultKey } from "@azure/keyvault-keys";
import { createPrincipal } from "../harness/principals.js";
import { publicKeyFromJwk, publicPem } from "./support/jwk.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";
import { openssl, opensslVerifies, p1363ToDer } from "./support/openssl.js";
import { assignRole, createCustomRole } from "./support/roles.js";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");
const HASH_OF = { 256: "sha256", 384: "sha384", 512: "sha512" } as const;

/**
 * CryptographyClient against the server, across the key type × algorithm matrix. The clients
 * belong to a principal that may use keys but not read them, so the SDK cannot fetch the public
 * key and does every operation remotely; results are checked with the openssl command and with
 * node:crypto from the public JWK (or from key material the test imported).
 */
describe("official JS SDK (CryptographyClient, remote operations): the algorithm matrix", () => {
  let fx: KeysFixture;
  let remoteOnly: ClientSecretCredential;
  const keys: Record<string, KeyVaultKey> = {};
  const remote = (name: string): CryptographyClient => fx.cryptoClient(keys[name]?.id ?? "", remoteOnly);

  before(async () => {
    fx = await startKeysServer();
    const user = await createPrincipal(fx.server, "crypto-without-read");
    const role = await createCustomRole(fx.server, "crypto operations only", [
      "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
      "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
      "Microsoft.KeyVault/managedHsm/keys/wrap/action",
      "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
      "Microsoft.KeyVault/managedHsm/keys/sign/action",
      "Microsoft.KeyVault/managedHsm/keys/verify/action",
    ]);
    await assignRole(fx.server, user.objectId, role);
    remoteOnly = fx.credentialFor(user);
    const { keyClient } = fx;
    keys.rsa = await keyClient.createRsaKey("rsa", { keySize: 2048 });
    for (const curve of ["P-256", "P-256K", "P-384", "P-521"] as const) {
      keys[curve] = await keyClient.createEcKey(`ec-${curve}`, { curve });
    }
  });
  after(() => fx?.dispose());

  for (const [alg, bits, pss] of [
    ["PS256", 256, true],
    ["PS384", 384, true],
    ["PS512", 512, true],
    ["RS256", 256, false],
    ["RS384", 384, false],
    ["RS512", 512, false],
  ] as const) {
    it(`${alg}: the server's signature verifies with openssl from the public JWK`, async () => {
      const hash = HASH_OF[bits];
      const message = randomBytes(200);
      const digest = createHash(hash).update(message).digest();
      const client = remote("rsa");
      const signed = await client.sign(alg, digest);
      assert.equal(signed.keyID, keys.rsa?.id);
      const pssOptions = pss
        ? ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]
        : [];
      const verifies = (signature: Uint8Array) =>
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
            ...pssOptions,
          ],
          { "pub.pem": publicPem(keys.rsa?.key ?? {}), digest, sig: Buffer.from(signature) },
        );
      assert.ok(verifies(signed.result));
      const tampered = Buffer.from(signed.result);
      tampered[0] = (tampered[0] as number) ^ 1;
      assert.equal(verifies(tampered), false, "openssl refuses a changed signature");

      assert.equal((await client.verify(alg, digest, signed.result)).result, true);
      assert.equal((await client.verify(alg, digest, tampered)).result, false);
      const viaData = await client.signData(alg, message);
      assert.equal((await client.verifyData(alg, message, viaData.result)).result, true);
    });
  }

  for (const [alg, curve, bits] of [
    ["ES256", "P-256", 256],
    ["ES256K", "P-256K", 256],
    ["ES384", "P-384", 384],
    ["ES512", "P-521", 512],
  ] as const) {
    it(`${alg} on ${curve}: the server's signature verifies with openssl from the public JWK`, async () => {
      const hash = HASH_OF[bits];
      const digest = createHash(hash).update(randomBytes(64)).digest();
      const client = remote(curve);
      const signed = await client.sign(alg, digest);
      assert.equal(signed.result.length, curve === "P-521" ? 132 : (bits / 8) * 2);
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
          {
            "pub.pem": publicPem(keys[curve]?.key ?? {}),
            digest,
            sig: p1363ToDer(Buffer.from(signed.result)),
          },
        ),
      );
      assert.equal((await client.verify(alg, digest, signed.result)).result, true);
      const other = createHash(hash).update("other").digest();
      assert.equal((await client.verify(alg, other, signed.result)).result, false);
    });
  }

  it("HS256/384/512 on an oct key match node's HMAC over the digest", async () => {
    const secret = randomBytes(32);
    const key = await fx.keyClient.importKey("hmac", {
      kty: "oct-HSM",
      k: new Uint8Array(secret),
      keyOps: ["sign", "verify"],
    });
    const client = fx.cryptoClient(key.id ?? "", remoteOnly);
    for (const bits of [256, 384, 512] as const) {
      const hash = HASH_OF[bits];
      const digest = createHash(hash).update(`message ${bits}`).digest();
      const signed = await client.sign(`HS${bits}`, digest);
      assert.deepEqual(Buffer.from(signed.result), createHmac(hash, secret).update(digest).digest());
      assert.equal((await client.verify(`HS${bits}`, digest, signed.result)).result, true);
      assert.equal((await client.verify(`HS${bits}`, digest, randomBytes(bits / 8))).result, false);
    }
  });

  it("RSA-OAEP, RSA-OAEP-256 and RSA1_5: data encrypted locally with the public key decrypts on the server, and back", async () => {
    // An imported key, so the test also holds the private key and can decrypt what the server encrypted.
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = pair.privateKey.export({ format: "jwk" });
    const members = Object.fromEntries(
      ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map((m) => [
        m,
        new Uint8Array(Buffer.from(jwk[m as "n"] as string, "base64url")),
      ]),
    );
    const imported = await fx.keyClient.importKey("rsa-imported", { kty: "RSA", ...members });
    const client = fx.cryptoClient(imported.id ?? "", remoteOnly);
    const publicKey = publicKeyFromJwk(imported.key ?? {});
    const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const cases = [
      { alg: "RSA-OAEP", padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      { alg: "RSA-OAEP-256", padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      { alg: "RSA1_5", padding: constants.RSA_PKCS1_PADDING, oaepHash: undefined },
    ] as const;
    for (const { alg, padding, oaepHash } of cases) {
      const plaintext = randomBytes(32);
      const local = publicEncrypt({ key: publicKey, padding, oaepHash }, plaintext);
      assert.deepEqual(
        Buffer.from((await client.decrypt({ algorithm: alg, ciphertext: local })).result),
        plaintext,
        alg,
      );
      assert.deepEqual(Buffer.from((await client.unwrapKey(alg, local)).result), plaintext, `${alg} unwrap`);

      const fromServer = Buffer.from((await client.encrypt({ algorithm: alg, plaintext })).result);
      const wrapped = Buffer.from((await client.wrapKey(alg, plaintext)).result);
      for (const ciphertext of [fromServer, wrapped]) {
        const decrypted =
          alg === "RSA1_5"
            ? openssl(
                (dir) => [
                  "pkeyutl",
                  "-decrypt",
                  "-inkey",
                  `${dir}/key.pem`,
                  "-in",
                  `${dir}/ct`,
                  "-pkeyopt",
                  "rsa_padding_mode:pkcs1",
                ],
                { "key.pem": privatePem, ct: ciphertext },
              )
            : privateDecrypt({ key: pair.privateKey, padding, oaepHash }, ciphertext);
        assert.deepEqual(decrypted, plaintext, `${alg} server-side encryption`);
      }
    }
  });

  it("A128/192/256GCM match the published test vectors and round-trip with iv, aad and tag", async () => {
    const vectors = [
      {
        bits: 128,
        key: "feffe9928665731c6d6a8f9467308308",
        ct: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        tag: "5bc94fbc3221a5db94fae95ae7121a47",
      },
      {
        bits: 192,
        key: "feffe9928665731c6d6a8f9467308308feffe9928665731c",
        ct: "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
        tag: "2519498e80f1478f37ba55bd6d27618c",
      },
      {
        bits: 256,
        key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        ct: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        tag: "76fc6ece0f4e1768cddf8853bb2d551b",
      },
    ] as const;
    const plaintext = hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    );
    const aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const iv = hex("cafebabefacedbaddecaf888");
    for (const vector of vectors) {
      const algorithm = `A${vector.bits}GCM` as const;
      const key = await fx.keyClient.importKey(`gcm-${vector.bits}`, {
        kty: "oct",
        k: new Uint8Array(hex(vector.key)),
      });
      const client = fx.cryptoClient(key.id ?? "", remoteOnly);
      const decrypted = await client.decrypt({
        algorithm,
        ciphertext: hex(vector.ct),
        iv,
        additionalAuthenticatedData: aad,
        authenticationTag: hex(vector.tag),
      });
      assert.deepEqual(Buffer.from(decrypted.result), plaintext, `${algorithm} vector`);

      const data = randomBytes(45);
      const encrypted = await client.encrypt({
        algorithm,
        plaintext: data,
        additionalAuthenticatedData: aad,
      });
      assert.equal(encrypted.iv?.length, 12);
      assert.equal(encrypted.authenticationTag?.length, 16);
      assert.deepEqual(Buffer.from(encrypted.additionalAuthenticatedData ?? []), aad);
      // node:crypto with the same key decrypts it.
      const decipher = createDecipheriv(
        `aes-${vector.bits}-gcm`,
        hex(vector.key),
        encrypted.iv ?? new Uint8Array(),
      );
      decipher.setAAD(aad);
      decipher.setAuthTag(encrypted.authenticationTag ?? new Uint8Array());
      assert.deepEqual(Buffer.concat([decipher.update(encrypted.result), decipher.final()]), data);
      const back = await client.decrypt({
        algorithm,
        ciphertext: encrypted.result,
        iv: encrypted.iv ?? new Uint8Array(),
        additionalAuthenticatedData: aad,
        authenticationTag: encrypted.authenticationTag ?? new Uint8Array(),
      });
      assert.deepEqual(Buffer.from(back.result), data);
    }
  });

  it("A128/192/256CBC and CBCPAD agree with node:crypto (SP 800-38A vector for AES-128)", async () => {
    const iv = hex("000102030405060708090a0b0c0d0e0f");
    for (const bits of [128, 192, 256] as const) {
      const secret = bits === 128 ? hex("2b7e151628aed2a6abf7158809cf4f3c") : randomBytes(bits / 8);
      const key = await fx.keyClient.importKey(`cbc-${bits}`, { kty: "oct", k: new Uint8Array(secret) });
      const client = fx.cryptoClient(key.id ?? "", remoteOnly);
      const block = hex("6bc1bee22e409f96e93d7e117393172a");
      const cbc = await client.encrypt({ algorithm: `A${bits}CBC`, plaintext: block, iv });
      const local = createCipheriv(`aes-${bits}-cbc`, secret, iv).setAutoPadding(false);
      assert.deepEqual(Buffer.from(cbc.result), Buffer.concat([local.update(block), local.final()]));
      if (bits === 128) assert.deepEqual(Buffer.from(cbc.result), hex("7649abac8119b246cee98e9b12e9197d"));

      const data = randomBytes(37);
      const padded = await client.encrypt({ algorithm: `A${bits}CBCPAD`, plaintext: data, iv });
      const localPad = createCipheriv(`aes-${bits}-cbc`, secret, iv);
      assert.deepEqual(Buffer.from(padded.result), Buffer.concat([localPad.update(data), localPad.final()]));
      const back = await client.decrypt({ algorithm: `A${bits}CBCPAD`, ciphertext: padded.result, iv });
      assert.deepEqual(Buffer.from(back.result), data);

      // Without an iv the HSM picks one and returns it.
      const chosen = await client.encrypt({ algorithm: `A${bits}CBCPAD`, plaintext: data });
      assert.equal(chosen.iv?.length, 16);
      const again = await client.decrypt({
        algorithm: `A${bits}CBCPAD`,
        ciphertext: chosen.result,
        iv: chosen.iv ?? new Uint8Array(),
      });
      assert.deepEqual(Buffer.from(again.result), data);
    }
  });

  it("A128/192/256KW and CKM_AES_KEY_WRAP(_PAD) give the RFC 3394 / RFC 5649 results", async () => {
    const data = hex("00112233445566778899AABBCCDDEEFF");
    const vectors = [
      {
        alg: "A128KW",
        kek: "000102030405060708090A0B0C0D0E0F",
        data,
        wrapped: "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5",
      },
      {
        alg: "A192KW",
        kek: "000102030405060708090A0B0C0D0E0F1011121314151617",
        data,
        wrapped: "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D",
      },
      {
        alg: "A256KW",
        kek: "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        data,
        wrapped: "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7",
      },
      {
        alg: "CKM_AES_KEY_WRAP",
        kek: "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        data: hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"),
        wrapped: "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
      },
      {
        alg: "CKM_AES_KEY_WRAP_PAD",
        kek: "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
        data: hex("466f7250617369"),
        wrapped: "afbeb0f07dfbf5419200f2ccb50bb24f",
      },
      {
        alg: "A192KWPAD",
        kek: "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
        data: hex("c37b7e6492584340bed12207808941155068f738"),
        wrapped: "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a",
      },
    ] as const;
    for (const [index, vector] of vectors.entries()) {
      const key = await fx.keyClient.importKey(`kek-${index}`, {
        kty: "oct",
        k: new Uint8Array(hex(vector.kek)),
      });
      const client = fx.cryptoClient(key.id ?? "", remoteOnly);
      const wrapped = await client.wrapKey(vector.alg as "A128KW", vector.data);
      assert.deepEqual(Buffer.from(wrapped.result), hex(vector.wrapped), vector.alg);
      const unwrapped = await client.unwrapKey(vector.alg as "A128KW", hex(vector.wrapped));
      assert.deepEqual(Buffer.from(unwrapped.result), vector.data);
    }
  });

  it("a client for an older version uses that version", async () => {
    const first = await fx.keyClient.createEcKey("two-versions", { curve: "P-256" });
    await fx.keyClient.createEcKey("two-versions", { curve: "P-256" });
    const digest = createHash("sha256").update("v1").digest();
    const signed = await fx.cryptoClient(first.id ?? "", remoteOnly).sign("ES256", digest);
    assert.equal(signed.keyID, first.id);
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
        { "pub.pem": publicPem(first.key ?? {}), digest, sig: p1363ToDer(Buffer.from(signed.result)) },
      ),
    );
  });
});
