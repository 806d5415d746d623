import { hkdfSync } from "node:crypto";
import { decryptDirect, encryptDirect } from "./jwe.js";
import {
  DOMAIN_KEY_TAG,
  type EncData,
  KDF_NAME,
  SecurityDomainFormatError,
} from "./security-domain-format.js";

/**
 * EncData: the domain key, encrypted under a key derived from a random master key. Only the
 * master key is split (or wrapped to the transfer key), as Azure's security domain does. The
 * indirection buys an integrity check Shamir's scheme lacks: shares that do not belong together
 * recombine to some other master key, and the AES-GCM tag then refuses to open the domain key.
 */
export const MASTER_KEY_BYTES = 32;

function derivedKey(masterKey: Buffer, tag: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", masterKey, Buffer.alloc(0), Buffer.from(`mhsm security domain v1 ${tag}`), 32),
  );
}

export async function sealDomainKey(masterKey: Buffer, domainKey: Buffer): Promise<EncData> {
  const key = derivedKey(masterKey, DOMAIN_KEY_TAG);
  try {
    return {
      kdf: KDF_NAME,
      data: [{ tag: DOMAIN_KEY_TAG, compact_jwe: await encryptDirect(key, DOMAIN_KEY_TAG, domainKey) }],
    };
  } finally {
    key.fill(0);
  }
}

/** The domain key, or a SecurityDomainFormatError when the master key is not this EncData's. */
export async function openDomainKey(masterKey: Buffer, encData: EncData, notOurs: string): Promise<Buffer> {
  const datum = encData.data.find((entry) => entry.tag === DOMAIN_KEY_TAG);
  if (!datum) throw new SecurityDomainFormatError(`EncData holds no '${DOMAIN_KEY_TAG}' datum`);
  const key = derivedKey(masterKey, DOMAIN_KEY_TAG);
  try {
    const domainKey = await decryptDirect(key, datum.compact_jwe, DOMAIN_KEY_TAG);
    if (!domainKey || domainKey.length !== 32) throw new SecurityDomainFormatError(notOurs);
    return domainKey;
  } finally {
    key.fill(0);
  }
}
