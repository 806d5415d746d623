import { type KeyObject, createPublicKey, randomBytes } from "node:crypto";
import { MASTER_KEY_BYTES, openDomainKey, sealDomainKey } from "./enc-data.js";
import { decryptWithRsaKey, encryptToRsaKey } from "./jwe.js";
import { combineShares, splitSecret } from "./shamir.js";
import {
  type EncShare,
  FORMAT_VERSION,
  KDF_NAME,
  MAX_QUORUM,
  MIN_QUORUM,
  SECURITY_DOMAIN_FORMAT,
  SHARING_ALGORITHM,
  type SecurityDomainFile,
  SecurityDomainFormatError,
  domainKeyIdOf,
} from "./security-domain-format.js";
import { type WrappingKey, keyThumbprint } from "./wrapping-key.js";

/**
 * The downloaded security domain: a random master key, split by Shamir's scheme into one share
 * per wrapping key (any `required` of them rebuild it), each share encrypted to its holder's
 * certificate; and the domain key encrypted under the master key (EncData). The server makes
 * it in memory and hands it out once; shares and master key are zeroed after use.
 */
export async function createSecurityDomainFile(options: {
  domainKey: Buffer;
  wrappingKeys: WrappingKey[];
  required: number;
  hsmName: string;
  now?: Date;
}): Promise<SecurityDomainFile> {
  const masterKey = randomBytes(MASTER_KEY_BYTES);
  let shares: Buffer[] = [];
  try {
    shares = await splitSecret(masterKey, options.wrappingKeys.length, options.required);
    const encShares: EncShare[] = [];
    for (const [index, holder] of options.wrappingKeys.entries()) {
      encShares.push({
        x5t_256: holder.x5tS256,
        key_thumbprint: holder.keyThumbprint,
        enc_key: await encryptToRsaKey(holder.publicKey, holder.x5tS256, shares[index] as Buffer),
      });
    }
    return {
      format: SECURITY_DOMAIN_FORMAT,
      version: FORMAT_VERSION,
      hsm_name: options.hsmName,
      domain_key_id: domainKeyIdOf(options.domainKey),
      created: (options.now ?? new Date()).toISOString(),
      EncData: await sealDomainKey(masterKey, options.domainKey),
      SharedKeys: { algorithm: SHARING_ALGORITHM, required: options.required, enc_shares: encShares },
    };
  } finally {
    masterKey.fill(0);
    for (const share of shares) share.fill(0);
  }
}

/** Checks the shape of a security domain file (its cryptography is checked by recoverDomainKey). */
export function parseSecurityDomainFile(value: unknown): SecurityDomainFile {
  const fail = (why: string) => new SecurityDomainFormatError(`The security domain file ${why}.`);
  if (typeof value !== "object" || value === null) throw fail("is not a JSON object");
  const file = value as Partial<SecurityDomainFile>;
  if (file.format !== SECURITY_DOMAIN_FORMAT) {
    throw fail(`is not an mhsm security domain (format is ${JSON.stringify(file.format ?? null)})`);
  }
  if (file.version !== FORMAT_VERSION) {
    throw fail(
      `has version ${JSON.stringify(file.version ?? null)}; this mhsm reads version ${FORMAT_VERSION}`,
    );
  }
  if (typeof file.domain_key_id !== "string") throw fail("has no domain_key_id");
  checkEncData(file.EncData, fail);
  const shared = file.SharedKeys;
  if (!shared || shared.algorithm !== SHARING_ALGORITHM) throw fail(`has no ${SHARING_ALGORITHM} SharedKeys`);
  if (!Number.isInteger(shared.required) || shared.required < MIN_QUORUM || shared.required > MAX_QUORUM) {
    throw fail(`has a quorum (SharedKeys.required) outside ${MIN_QUORUM}-${MAX_QUORUM}`);
  }
  if (!Array.isArray(shared.enc_shares) || shared.enc_shares.length < shared.required) {
    throw fail("holds fewer shares than its quorum");
  }
  for (const share of shared.enc_shares) {
    if (
      typeof share?.enc_key !== "string" ||
      typeof share.x5t_256 !== "string" ||
      typeof share.key_thumbprint !== "string"
    ) {
      throw fail("has a share without enc_key, x5t_256 or key_thumbprint");
    }
  }
  return file as SecurityDomainFile;
}

export function checkEncData(value: unknown, fail: (why: string) => Error): void {
  const encData = value as SecurityDomainFile["EncData"] | undefined;
  if (!encData || encData.kdf !== KDF_NAME || !Array.isArray(encData.data)) {
    throw fail(`has no EncData with kdf ${KDF_NAME}`);
  }
  for (const datum of encData.data) {
    if (typeof datum?.tag !== "string" || typeof datum.compact_jwe !== "string") {
      throw fail("has an EncData entry without tag or compact_jwe");
    }
  }
}

/**
 * The client side of an upload: decrypts the shares that the given private keys hold, rebuilds
 * the master key from a quorum of them and opens the domain key. Every way this can go wrong
 * (a key that is not a wrapping key, too few keys, shares that do not rebuild this domain) is
 * an error that says which.
 */
export async function recoverDomainKey(
  file: SecurityDomainFile,
  privateKeys: Array<{ label: string; key: KeyObject }>,
): Promise<Buffer> {
  const { required, enc_shares: encShares } = file.SharedKeys;
  const shares: Buffer[] = [];
  const seen = new Map<string, string>();
  try {
    for (const { label, key } of privateKeys) {
      if (key.asymmetricKeyType !== "rsa") {
        throw new SecurityDomainFormatError(`${label} is not an RSA private key.`);
      }
      const thumbprint = keyThumbprint(createPublicKey(key));
      const twin = seen.get(thumbprint);
      if (twin) throw new SecurityDomainFormatError(`${label} is the same key as ${twin}.`);
      seen.set(thumbprint, label);
      const encShare = encShares.find((share) => share.key_thumbprint === thumbprint);
      if (!encShare) {
        throw new SecurityDomainFormatError(
          `${label} is not one of this security domain's wrapping keys (no share is encrypted to it).`,
        );
      }
      shares.push(await decryptWithRsaKey(key, encShare.enc_key, `The share for ${label}`));
    }
    if (shares.length < required) {
      throw new SecurityDomainFormatError(
        `This security domain needs ${required} of its ${encShares.length} wrapping keys; ${shares.length} ${shares.length === 1 ? "was" : "were"} given.`,
      );
    }
    const masterKey = await combineShares(shares).catch(() => {
      throw new SecurityDomainFormatError(
        "The shares could not be combined: the security domain is damaged.",
      );
    });
    try {
      const domainKey = await openDomainKey(
        masterKey,
        file.EncData,
        "The shares do not rebuild this security domain's master key: the file was changed or mixes security domains.",
      );
      if (domainKeyIdOf(domainKey) !== file.domain_key_id) {
        domainKey.fill(0);
        throw new SecurityDomainFormatError("The domain key does not match the file's domain_key_id.");
      }
      return domainKey;
    } finally {
      masterKey.fill(0);
    }
  } finally {
    for (const share of shares) share.fill(0);
  }
}
