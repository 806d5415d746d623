import { constants, createDecipheriv, createPrivateKey, privateDecrypt } from "node:crypto";

/**
 * A share's JWE (compact, RSA-OAEP-256 + A256GCM) opened with node:crypto alone, as the format
 * document describes it: the check that the document and the files agree, independent of the
 * library mhsm uses to write them.
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
  const decipher = createDecipheriv("aes-256-gcm", cek, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(header, "ascii"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  return { header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")), plaintext };
}
