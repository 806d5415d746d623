import {
  type CipherGCMTypes,
  type KeyObject,
  createCipheriv,
  createDecipheriv,
  randomBytes,
} from "node:crypto";

/**
 * AES encrypt/decrypt for oct keys: GCM (the HSM picks the 12-byte IV, 16-byte tag), CBC
 * without padding (whole blocks only) and CBC with PKCS#7 padding.
 */

/**
 * The cryptography's own failures, free of HTTP and of Key Vault's wording; crypto-failures.ts
 * turns them into the catalog's BadParameter answers.
 */
export class AesInputError extends Error {}
export class AesAuthenticationError extends Error {}

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const CBC_IV_BYTES = 16;

export interface GcmResult {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

export function gcmEncrypt(key: KeyObject, plaintext: Buffer, aad: Buffer | undefined): GcmResult {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv(gcmCipher(key), key, iv, { authTagLength: GCM_TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

export function gcmDecrypt(
  key: KeyObject,
  ciphertext: Buffer,
  iv: Buffer,
  tag: Buffer,
  aad: Buffer | undefined,
): Buffer {
  if (iv.length !== GCM_IV_BYTES) throw new AesInputError(`the iv must be ${GCM_IV_BYTES} bytes`);
  if (tag.length !== GCM_TAG_BYTES) throw new AesInputError(`the tag must be ${GCM_TAG_BYTES} bytes`);
  const decipher = createDecipheriv(gcmCipher(key), key, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAuthTag(tag);
  if (aad) decipher.setAAD(aad);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new AesAuthenticationError();
  }
}

export function cbcEncrypt(key: KeyObject, plaintext: Buffer, iv: Buffer, pad: boolean): Buffer {
  if (iv.length !== CBC_IV_BYTES) throw new AesInputError(`the iv must be ${CBC_IV_BYTES} bytes`);
  if (!pad && plaintext.length % 16 !== 0) {
    throw new AesInputError("without padding, the plaintext must be a whole number of 16-byte blocks");
  }
  const cipher = createCipheriv(`aes-${bits(key)}-cbc`, key, iv);
  cipher.setAutoPadding(pad);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

export function cbcDecrypt(key: KeyObject, ciphertext: Buffer, iv: Buffer, pad: boolean): Buffer {
  if (iv.length !== CBC_IV_BYTES) throw new AesInputError(`the iv must be ${CBC_IV_BYTES} bytes`);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new AesInputError("the ciphertext must be a whole number of 16-byte blocks");
  }
  const decipher = createDecipheriv(`aes-${bits(key)}-cbc`, key, iv);
  decipher.setAutoPadding(pad);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // Only a bad PKCS#7 padding fails here.
    throw new AesAuthenticationError();
  }
}

function gcmCipher(key: KeyObject): CipherGCMTypes {
  return `aes-${bits(key)}-gcm` as CipherGCMTypes;
}

function bits(key: KeyObject): number {
  return (key.symmetricKeySize as number) * 8;
}
