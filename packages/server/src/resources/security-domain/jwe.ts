import type { KeyObject } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";
import { SecurityDomainFormatError } from "./security-domain-format.js";

/**
 * The two JWE forms of Azure's security domain (RFC 7516 compact serialization, by jose), both
 * with A256CBC-HS512 (RFC 7518 5.2.5: AES-256-CBC, then an HMAC-SHA512 tag over the protected
 * header, IV and ciphertext, checked in constant time before anything is decrypted):
 * - to an RSA certificate (a share, the wrapped master key): RSA-OAEP-256 wraps a random CEK;
 * - "dir" under a 64-byte key SP 800-108 derived from the master key (an EncData datum).
 * The Azure CLI's reader (security_domain/jwe.py) reads both, and jose reads what it writes.
 */
const ENC = "A256CBC-HS512";
/** Azure's reader also takes RSA-OAEP (SHA-1) for shares; RSA1_5 is not taken (padding oracles). */
const TO_RSA = { keyManagementAlgorithms: ["RSA-OAEP-256", "RSA-OAEP"], contentEncryptionAlgorithms: [ENC] };
const DIRECT = { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: [ENC] };

export function encryptToRsaKey(publicKey: KeyObject, kid: string, plaintext: Buffer): Promise<string> {
  return new CompactEncrypt(new Uint8Array(plaintext))
    .setProtectedHeader({ alg: "RSA-OAEP-256", enc: ENC, kid })
    .encrypt(publicKey);
}

/** The plaintext, or undefined when this key cannot open the JWE (another holder's, or changed). */
export async function tryDecryptWithRsaKey(privateKey: KeyObject, jwe: string): Promise<Buffer | undefined> {
  try {
    const { plaintext } = await compactDecrypt(jwe, privateKey, TO_RSA);
    return Buffer.from(plaintext);
  } catch {
    return undefined;
  }
}

export async function decryptWithRsaKey(privateKey: KeyObject, jwe: string, what: string): Promise<Buffer> {
  const plaintext = await tryDecryptWithRsaKey(privateKey, jwe);
  if (!plaintext) throw new SecurityDomainFormatError(`${what} cannot be decrypted with the given key`);
  return plaintext;
}

export function encryptDirect(key: Buffer, kid: string, plaintext: Buffer): Promise<string> {
  return new CompactEncrypt(new Uint8Array(plaintext))
    .setProtectedHeader({ alg: "dir", enc: ENC, kid })
    .encrypt(new Uint8Array(key));
}

/** Undefined when the key is not the one it was sealed under (or the JWE was changed). */
export async function decryptDirect(key: Buffer, jwe: string): Promise<Buffer | undefined> {
  try {
    const { plaintext } = await compactDecrypt(jwe, new Uint8Array(key), DIRECT);
    return Buffer.from(plaintext);
  } catch {
    return undefined;
  }
}
