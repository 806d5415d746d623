import assert from "node:assert/strict";
import { createSecretKey, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  AesAuthenticationError,
  AesInputError,
  cbcDecrypt,
  cbcEncrypt,
  gcmDecrypt,
  gcmEncrypt,
} from "./aes-encryption.js";
import { aesUnwrap, aesWrap } from "./aes-key-wrap.js";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");
const key = (text: string) => createSecretKey(hex(text));

// The GCM test cases of McGrew & Viega, "The Galois/Counter Mode of Operation" (the NIST
// submission): test cases 4 (AES-128), 10 (AES-192) and 16 (AES-256), with additional data.
const GCM_PLAINTEXT = hex(
  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
);
const GCM_AAD = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const GCM_IV = hex("cafebabefacedbaddecaf888");
const GCM_VECTORS = [
  {
    bits: 128,
    key: "feffe9928665731c6d6a8f9467308308",
    ciphertext:
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
    tag: "5bc94fbc3221a5db94fae95ae7121a47",
  },
  {
    bits: 192,
    key: "feffe9928665731c6d6a8f9467308308feffe9928665731c",
    ciphertext:
      "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
    tag: "2519498e80f1478f37ba55bd6d27618c",
  },
  {
    bits: 256,
    key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
    ciphertext:
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    tag: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
];

describe("AES-GCM", () => {
  for (const vector of GCM_VECTORS) {
    it(`A${vector.bits}GCM decrypts the published test vector and refuses it altered`, () => {
      const k = key(vector.key);
      const plaintext = gcmDecrypt(k, hex(vector.ciphertext), GCM_IV, hex(vector.tag), GCM_AAD);
      assert.deepEqual(plaintext, GCM_PLAINTEXT);
      const badTag = hex(vector.tag);
      badTag[0] = (badTag[0] as number) ^ 1;
      assert.throws(
        () => gcmDecrypt(k, hex(vector.ciphertext), GCM_IV, badTag, GCM_AAD),
        AesAuthenticationError,
      );
      assert.throws(
        () => gcmDecrypt(k, hex(vector.ciphertext), GCM_IV, hex(vector.tag), undefined),
        AesAuthenticationError,
      );
    });
  }

  it("encrypts with a fresh 12-byte IV and a 16-byte tag each time", () => {
    const k = createSecretKey(randomBytes(32));
    const one = gcmEncrypt(k, Buffer.from("hello"), Buffer.from("aad"));
    const two = gcmEncrypt(k, Buffer.from("hello"), Buffer.from("aad"));
    assert.equal(one.iv.length, 12);
    assert.equal(one.tag.length, 16);
    assert.notDeepEqual(one.iv, two.iv);
    assert.deepEqual(
      gcmDecrypt(k, one.ciphertext, one.iv, one.tag, Buffer.from("aad")),
      Buffer.from("hello"),
    );
    assert.throws(() => gcmDecrypt(k, one.ciphertext, one.iv.subarray(1), one.tag, undefined), AesInputError);
    assert.throws(() => gcmDecrypt(k, one.ciphertext, one.iv, one.tag.subarray(4), undefined), AesInputError);
  });
});

describe("AES-CBC", () => {
  // NIST SP 800-38A F.2.1 and F.2.5 (first block).
  const iv = hex("000102030405060708090a0b0c0d0e0f");
  const plaintext = hex("6bc1bee22e409f96e93d7e117393172a");
  it("matches SP 800-38A for AES-128 and AES-256 (no padding)", () => {
    assert.deepEqual(
      cbcEncrypt(key("2b7e151628aed2a6abf7158809cf4f3c"), plaintext, iv, false),
      hex("7649abac8119b246cee98e9b12e9197d"),
    );
    const k256 = key("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    assert.deepEqual(cbcEncrypt(k256, plaintext, iv, false), hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6"));
    assert.deepEqual(cbcDecrypt(k256, hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6"), iv, false), plaintext);
  });

  it("CBCPAD pads (PKCS#7) and round-trips any length; CBC needs whole blocks", () => {
    const k = createSecretKey(randomBytes(24));
    for (const length of [0, 1, 15, 16, 17, 100]) {
      const data = randomBytes(length);
      const encrypted = cbcEncrypt(k, data, iv, true);
      assert.equal(encrypted.length, (Math.floor(length / 16) + 1) * 16);
      assert.deepEqual(cbcDecrypt(k, encrypted, iv, true), data);
    }
    assert.throws(() => cbcEncrypt(k, randomBytes(17), iv, false), AesInputError);
    assert.throws(() => cbcEncrypt(k, randomBytes(16), iv.subarray(1), false), AesInputError);
    assert.throws(() => cbcDecrypt(k, randomBytes(15), iv, true), AesInputError);
  });
});

describe("AES key wrap", () => {
  // RFC 3394 §4.1, 4.2, 4.3 and 4.6.
  const KEK_128 = "000102030405060708090A0B0C0D0E0F";
  const KEK_192 = "000102030405060708090A0B0C0D0E0F1011121314151617";
  const KEK_256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
  const DATA_128 = "00112233445566778899AABBCCDDEEFF";
  const RFC3394 = [
    { kek: KEK_128, data: DATA_128, wrapped: "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5" },
    { kek: KEK_192, data: DATA_128, wrapped: "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D" },
    { kek: KEK_256, data: DATA_128, wrapped: "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7" },
    {
      kek: KEK_256,
      data: "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
      wrapped: "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
    },
  ];
  for (const vector of RFC3394) {
    it(`RFC 3394: ${vector.kek.length * 4}-bit KEK, ${vector.data.length * 4}-bit key`, () => {
      assert.deepEqual(aesWrap(key(vector.kek), hex(vector.data), false), hex(vector.wrapped));
      assert.deepEqual(aesUnwrap(key(vector.kek), hex(vector.wrapped), false), hex(vector.data));
    });
  }

  // RFC 5649 §6.
  const KEK_5649 = "5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8";
  it("RFC 5649 (with padding): 20-byte and 7-byte keys", () => {
    const twenty = hex("c37b7e6492584340 bed1220780894115 5068f738");
    const twentyWrapped = hex("138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a");
    assert.deepEqual(aesWrap(key(KEK_5649), twenty, true), twentyWrapped);
    assert.deepEqual(aesUnwrap(key(KEK_5649), twentyWrapped, true), twenty);
    const seven = hex("466f7250617369");
    const sevenWrapped = hex("afbeb0f07dfbf541 9200f2ccb50bb24f");
    assert.deepEqual(aesWrap(key(KEK_5649), seven, true), sevenWrapped);
    assert.deepEqual(aesUnwrap(key(KEK_5649), sevenWrapped, true), seven);
  });

  it("refuses bad lengths and data that fails the integrity check", () => {
    const kek = key(KEK_128);
    assert.throws(() => aesWrap(kek, randomBytes(12), false), AesInputError);
    assert.throws(() => aesWrap(kek, randomBytes(8), false), AesInputError);
    assert.throws(() => aesUnwrap(kek, randomBytes(20), false), AesInputError);
    const wrapped = aesWrap(kek, hex(DATA_128), false);
    wrapped[3] = (wrapped[3] as number) ^ 1;
    assert.throws(() => aesUnwrap(kek, wrapped, false), AesAuthenticationError);
    assert.throws(() => aesUnwrap(key(KEK_256), hex(RFC3394[0]!.wrapped), false), AesAuthenticationError);
  });
});
