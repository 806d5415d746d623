import { type KeyObject, hkdfSync } from "node:crypto";
import { compactDecrypt } from "jose";
import { SecurityDomainFormatError } from "./security-domain-format.js";

/**
 * The cryptography of mhsm's own security domain format 1.0, kept to read files and upload blobs
 * made before mhsm switched to Azure's format: JWEs with A256GCM (RSA-OAEP-256 to a key holder or
 * the transfer key, "dir" under an HKDF-SHA256 key for the domain key). Reading only: nothing
 * is written in this format any more.
 */
export const LEGACY_KDF_NAME = "HKDF-SHA256";
export const LEGACY_DOMAIN_KEY_TAG = "mhsm-domain-key-v1";

const TO_RSA = { keyManagementAlgorithms: ["RSA-OAEP-256"], contentEncryptionAlgorithms: ["A256GCM"] };
const DIRECT = { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] };

export interface LegacyEncData {
  kdf: typeof LEGACY_KDF_NAME;
  data: Array<{ tag: string; compact_jwe: string }>;
}

export async function legacyDecryptWithRsaKey(
  privateKey: KeyObject,
  jwe: string,
  what: string,
): Promise<Buffer> {
  try {
    const { plaintext } = await compactDecrypt(jwe, privateKey, TO_RSA);
    return Buffer.from(plaintext);
  } catch {
    throw new SecurityDomainFormatError(`${what} cannot be decrypted with the given key`);
  }
}

function derivedKey(masterKey: Buffer, tag: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", masterKey, Buffer.alloc(0), Buffer.from(`mhsm security domain v1 ${tag}`), 32),
  );
}

/** The domain key, or a SecurityDomainFormatError when the master key is not this EncData's. */
export async function openLegacyDomainKey(
  masterKey: Buffer,
  encData: LegacyEncData,
  notOurs: string,
): Promise<Buffer> {
  const datum = encData.data.find((entry) => entry.tag === LEGACY_DOMAIN_KEY_TAG);
  if (!datum) throw new SecurityDomainFormatError(`EncData holds no '${LEGACY_DOMAIN_KEY_TAG}' datum`);
  const key = derivedKey(masterKey, LEGACY_DOMAIN_KEY_TAG);
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(
      datum.compact_jwe,
      new Uint8Array(key),
      DIRECT,
    );
    const domainKey = Buffer.from(plaintext);
    if (protectedHeader.kid !== LEGACY_DOMAIN_KEY_TAG || domainKey.length !== 32) {
      domainKey.fill(0);
      throw new SecurityDomainFormatError(notOurs);
    }
    return domainKey;
  } catch (error) {
    if (error instanceof SecurityDomainFormatError) throw error;
    throw new SecurityDomainFormatError(notOurs);
  } finally {
    key.fill(0);
  }
}

export function checkLegacyEncData(
  value: unknown,
  fail: (why: string) => Error,
): asserts value is LegacyEncData {
  const encData = value as Partial<LegacyEncData> | undefined;
  if (!encData || encData.kdf !== LEGACY_KDF_NAME || !Array.isArray(encData.data)) {
    throw fail(`has no EncData with kdf ${LEGACY_KDF_NAME}`);
  }
  for (const datum of encData.data) {
    if (typeof datum?.tag !== "string" || typeof datum.compact_jwe !== "string") {
      throw fail("has an EncData entry without tag or compact_jwe");
    }
  }
}
