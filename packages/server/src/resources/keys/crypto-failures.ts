import type { KeyObject } from "node:crypto";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { AesAuthenticationError, AesInputError } from "./crypto/aes-encryption.js";
import {
  RsaDecryptionError,
  RsaPlaintextTooLongError,
  maxPlaintextBytes,
  rsaDecrypt,
  rsaEncrypt,
} from "./crypto/rsa-encryption.js";
import type { HashName } from "./key-algorithms.js";

/**
 * Input checks of the cipher operations, and the translation of the crypto layer's failures
 * into 400s that say what kind of failure it was, never anything about the data or the key.
 */
export interface CipherFields {
  iv?: Buffer;
  aad?: Buffer;
  tag?: Buffer;
}

export function refuseFields(
  input: CipherFields,
  fields: Array<keyof CipherFields>,
  algorithm: string,
): void {
  for (const field of fields) {
    if (input[field] !== undefined)
      throw KeyVaultErrors.badParameter(`'${field}' does not apply to ${algorithm}.`);
  }
}

export function requiredField(value: Buffer | undefined, message: string): Buffer {
  if (value === undefined || value.length === 0) throw KeyVaultErrors.badParameter(message);
  return value;
}

export function rsaEncryptOrRefuse(
  publicKey: KeyObject,
  scheme: "oaep" | "pkcs1v15",
  hash: HashName | undefined,
  plaintext: Buffer,
  algorithm: string,
): Buffer {
  try {
    return rsaEncrypt(publicKey, scheme, hash, plaintext);
  } catch (error) {
    if (error instanceof RsaPlaintextTooLongError) {
      throw KeyVaultErrors.badParameter(
        `The value is ${plaintext.length} bytes; ${algorithm} with this key takes at most ${maxPlaintextBytes(publicKey, scheme, hash)}.`,
      );
    }
    throw error;
  }
}

export function rsaDecryptOrRefuse(
  privateKey: KeyObject,
  scheme: "oaep" | "pkcs1v15",
  hash: HashName | undefined,
  ciphertext: Buffer,
): Buffer {
  try {
    return rsaDecrypt(privateKey, scheme, hash, ciphertext);
  } catch (error) {
    if (error instanceof RsaDecryptionError) {
      throw KeyVaultErrors.badParameter("The value could not be decrypted with this key and algorithm.");
    }
    throw error;
  }
}

/** AES failures become 400s that say what kind of failure, never anything about the data. */
export function aesOrRefuse<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof AesInputError) throw KeyVaultErrors.badParameter(`Invalid input: ${error.message}.`);
    if (error instanceof AesAuthenticationError) {
      throw KeyVaultErrors.badParameter(
        "Decryption failed: the data did not authenticate under this key (wrong key, iv, aad or tag, or altered data).",
      );
    }
    throw error;
  }
}
