import type { KeyObject } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";
import { SecurityDomainFormatError } from "./security-domain-format.js";

/**
 * The two JWE forms the security domain uses (RFC 7516 compact serialization, by jose):
 * RSA-OAEP-256 + A256GCM to a wrapping or transfer key, and "dir" + A256GCM under a derived key.
 * The protected header is the AES-GCM additional data, so its kid is authenticated too.
 */
const TO_RSA = { keyManagementAlgorithms: ["RSA-OAEP-256"], contentEncryptionAlgorithms: ["A256GCM"] };
const DIRECT = { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] };

export function encryptToRsaKey(publicKey: KeyObject, kid: string, plaintext: Buffer): Promise<string> {
  return new CompactEncrypt(new Uint8Array(plaintext))
    .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", kid })
    .encrypt(publicKey);
}

export async function decryptWithRsaKey(privateKey: KeyObject, jwe: string, what: string): Promise<Buffer> {
  try {
    const { plaintext } = await compactDecrypt(jwe, privateKey, TO_RSA);
    return Buffer.from(plaintext);
  } catch {
    throw new SecurityDomainFormatError(`${what} cannot be decrypted with the given key`);
  }
}

export function encryptDirect(key: Buffer, kid: string, plaintext: Buffer): Promise<string> {
  return new CompactEncrypt(new Uint8Array(plaintext))
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid })
    .encrypt(new Uint8Array(key));
}

/** Undefined when the key is not the one it was sealed under (or the JWE was changed). */
export async function decryptDirect(key: Buffer, jwe: string, kid: string): Promise<Buffer | undefined> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, new Uint8Array(key), DIRECT);
    if (protectedHeader.kid !== kid) return undefined;
    return Buffer.from(plaintext);
  } catch {
    return undefined;
  }
}
