import {
  constants,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  privateDecrypt,
  timingSafeEqual,
} from "node:crypto";

/**
 * A share's JWE (compact, RSA-OAEP-256 + A256CBC-HS512, RFC 7518 5.2) opened with node:crypto
 * alone, as the format document describes it: the check that the document and the files agree,
 * independent of the library (jose) mhsm uses to write them.
 */
export function openShareJwe(
  jwe: string,
  privateKeyPem: Buffer,
): { header: Record<string, string>; plaintext: Buffer } {
  const [header, encryptedKey, iv, ciphertext, tag] = jwe.split(".") as [
    string,
    string,
    string,
    string,
    string,
  ];
  const cek = privateDecrypt(
    { key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    Buffer.from(encryptedKey, "base64url"),
  );
  const plaintext = openCbcHs512(cek, header, iv, ciphertext, tag);
  return { header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")), plaintext };
}

/** A256CBC-HS512: the first 32 key bytes authenticate, the last 32 encrypt. */
export function openCbcHs512(
  cek: Buffer,
  header: string,
  iv: string,
  ciphertext: string,
  tag: string,
): Buffer {
  const aad = Buffer.from(header, "ascii");
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(aad.length * 8));
  const expected = createHmac("sha512", cek.subarray(0, 32))
    .update(Buffer.concat([aad, Buffer.from(iv, "base64url"), Buffer.from(ciphertext, "base64url"), length]))
    .digest()
    .subarray(0, 32);
  const given = Buffer.from(tag, "base64url");
  if (given.length !== 32 || !timingSafeEqual(given, expected))
    throw new Error("the JWE's tag does not verify");
  const decipher = createDecipheriv("aes-256-cbc", cek.subarray(32), Buffer.from(iv, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
}
