import { decryptDirect, encryptDirect } from "./jwe.js";
import {
  DOMAIN_KEY_BYTES,
  DOMAIN_KEY_TAG,
  type EncData,
  KDF_NAME,
  SecurityDomainFormatError,
} from "./security-domain-format.js";
import { datumKey } from "./sp800-108.js";

/**
 * EncData: the domain key, encrypted under a key derived from a random master key. Only the
 * master key is split (or wrapped to the transfer key), as Azure's security domain does. The
 * indirection buys an integrity check Shamir's scheme lacks: shares that do not belong together
 * recombine to some other master key, and the A256CBC-HS512 tag then refuses to open the domain
 * key.
 */
export async function sealDomainKey(masterKey: Buffer, domainKey: Buffer): Promise<EncData> {
  const key = datumKey(masterKey, DOMAIN_KEY_TAG);
  try {
    return {
      data: [{ compact_jwe: await encryptDirect(key, DOMAIN_KEY_TAG, domainKey), tag: DOMAIN_KEY_TAG }],
      kdf: KDF_NAME,
    };
  } finally {
    key.fill(0);
  }
}

/** The domain key, or a SecurityDomainFormatError (`notOurs` when the master key does not open it). */
export async function openDomainKey(masterKey: Buffer, encData: EncData, notOurs: string): Promise<Buffer> {
  const datum = encData.data.find((entry) => entry.tag === DOMAIN_KEY_TAG);
  if (!datum) {
    throw new SecurityDomainFormatError(
      `EncData holds no '${DOMAIN_KEY_TAG}' datum: this is not an mhsm security domain (one from an Azure Managed HSM holds that HSM's own data, which mhsm cannot use)`,
    );
  }
  const key = datumKey(masterKey, DOMAIN_KEY_TAG);
  try {
    const domainKey = await decryptDirect(key, datum.compact_jwe);
    if (!domainKey) throw new SecurityDomainFormatError(notOurs);
    if (domainKey.length !== DOMAIN_KEY_BYTES) {
      domainKey.fill(0);
      throw new SecurityDomainFormatError(`The '${DOMAIN_KEY_TAG}' datum does not hold a 32-byte domain key`);
    }
    return domainKey;
  } finally {
    key.fill(0);
  }
}

/** Checks EncData's shape: entries of tag and compact_jwe, and Azure's KDF name. */
export function checkEncData(value: unknown, fail: (why: string) => Error): asserts value is EncData {
  const encData = value as Partial<EncData> | undefined;
  if (typeof encData !== "object" || encData === null || !Array.isArray(encData.data)) {
    throw fail("has no EncData with a data array");
  }
  if (encData.kdf !== KDF_NAME) {
    throw fail(`has EncData.kdf ${JSON.stringify(encData.kdf ?? null)}; only '${KDF_NAME}' is known`);
  }
  for (const datum of encData.data) {
    if (typeof datum?.tag !== "string" || typeof datum.compact_jwe !== "string") {
      throw fail("has an EncData entry without tag or compact_jwe");
    }
  }
}
