import { type KeyObject, createCipheriv, createDecipheriv } from "node:crypto";
import { AesAuthenticationError, AesInputError } from "./aes-encryption.js";

/**
 * AES key wrap: RFC 3394 (A*KW, CKM_AES_KEY_WRAP) and RFC 5649 with padding (A*KWPAD,
 * CKM_AES_KEY_WRAP_PAD), through OpenSSL's id-aes*-wrap ciphers with their default IVs.
 */
const RFC3394_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");
const RFC5649_IV = Buffer.from("A65959A6", "hex");

export function aesWrap(kek: KeyObject, keyToWrap: Buffer, pad: boolean): Buffer {
  if (pad) {
    if (keyToWrap.length === 0) throw new AesInputError("the key to wrap is empty");
  } else if (keyToWrap.length < 16 || keyToWrap.length % 8 !== 0) {
    throw new AesInputError("the key to wrap must be at least 16 bytes and a multiple of 8 bytes");
  }
  const cipher = createCipheriv(cipherName(kek, pad), kek, pad ? RFC5649_IV : RFC3394_IV);
  return Buffer.concat([cipher.update(keyToWrap), cipher.final()]);
}

export function aesUnwrap(kek: KeyObject, wrapped: Buffer, pad: boolean): Buffer {
  if (wrapped.length < 16 || wrapped.length % 8 !== 0) {
    throw new AesInputError("the wrapped key must be at least 16 bytes and a multiple of 8 bytes");
  }
  const decipher = createDecipheriv(cipherName(kek, pad), kek, pad ? RFC5649_IV : RFC3394_IV);
  try {
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    // The integrity check value did not match: wrong key, or the data was changed.
    throw new AesAuthenticationError();
  }
}

function cipherName(kek: KeyObject, pad: boolean): string {
  return `id-aes${(kek.symmetricKeySize as number) * 8}-wrap${pad ? "-pad" : ""}`;
}
