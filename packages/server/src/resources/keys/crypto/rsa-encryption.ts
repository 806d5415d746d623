import { type KeyObject, constants, privateDecrypt, publicEncrypt } from "node:crypto";
import type { HashName } from "../key-algorithms.js";
import { modulusBits } from "./rsa-signature.js";

/** RSA encryption for encrypt/decrypt and wrapKey/unwrapKey: OAEP (SHA-1 or SHA-256) and PKCS#1 v1.5. */

/**
 * The cryptography's own failures, free of HTTP and of Key Vault's wording; crypto-failures.ts
 * turns them into the catalog's BadParameter answers.
 */
export class RsaDecryptionError extends Error {}
export class RsaPlaintextTooLongError extends Error {}

export function maxPlaintextBytes(key: KeyObject, scheme: "oaep" | "pkcs1v15", hash?: HashName): number {
  const k = Math.ceil(modulusBits(key) / 8);
  if (scheme === "pkcs1v15") return k - 11;
  const hLen = hash === "sha1" ? 20 : 32;
  return k - 2 * hLen - 2;
}

export function rsaEncrypt(
  publicKey: KeyObject,
  scheme: "oaep" | "pkcs1v15",
  hash: HashName | undefined,
  plaintext: Buffer,
): Buffer {
  if (plaintext.length > maxPlaintextBytes(publicKey, scheme, hash)) throw new RsaPlaintextTooLongError();
  if (scheme === "pkcs1v15") {
    return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, plaintext);
  }
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    plaintext,
  );
}

export function rsaDecrypt(
  privateKey: KeyObject,
  scheme: "oaep" | "pkcs1v15",
  hash: HashName | undefined,
  ciphertext: Buffer,
): Buffer {
  const k = Math.ceil(modulusBits(privateKey) / 8);
  if (ciphertext.length !== k) throw new RsaDecryptionError();
  try {
    if (scheme === "oaep") {
      return privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
        ciphertext,
      );
    }
    // Node refuses PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin timing attack on
    // OpenSSL's unpadding). RSA1_5 is part of the contract, so the raw RSA operation is
    // OpenSSL's and the unpadding below reads every byte whatever it finds, then fails with the
    // same error for every kind of bad padding.
    const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
    return unpadPkcs1Type2(block);
  } catch {
    throw new RsaDecryptionError();
  }
}

/** EME-PKCS1-v1_5 decoding (RFC 8017 §7.2.2 step 3), without early exits. */
export function unpadPkcs1Type2(block: Buffer): Buffer {
  let bad = (block[0] as number) | ((block[1] as number) ^ 0x02);
  let separator = 0;
  let lookingForSeparator = 1;
  for (let i = 2; i < block.length; i++) {
    const isZero = ((block[i] as number) - 1) >>> 31; // 1 when the byte is 0
    const take = isZero & lookingForSeparator;
    separator |= take * i;
    lookingForSeparator &= ~isZero & 1;
  }
  bad |= lookingForSeparator; // no separator at all
  bad |= (separator - 10) >>> 31; // fewer than 8 bytes of padding
  if (bad !== 0) throw new RsaDecryptionError();
  return Buffer.from(block.subarray(separator + 1));
}
