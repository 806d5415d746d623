import { type KeyObject, constants, createPublicKey, privateDecrypt, randomBytes } from "node:crypto";
import { checkEncData, openDomainKey, sealDomainKey } from "./enc-data.js";
import { encryptToRsaKey, tryDecryptWithRsaKey } from "./jwe.js";
import {
  type LegacySecurityDomainFile,
  isLegacyFile,
  parseLegacyFile,
  recoverLegacyDomainKey,
  tooFewKeys,
} from "./legacy-format.js";
import { combineShares, splitSecret } from "./prime-field-shares.js";
import {
  type EncShare,
  KEY_ALGORITHM,
  MASTER_KEY_BYTES,
  MAX_CERTIFICATES,
  MAX_QUORUM,
  MIN_QUORUM,
  type SecurityDomainFile,
  SecurityDomainFormatError,
} from "./security-domain-format.js";
import { type WrappingKey, keyThumbprint } from "./wrapping-key.js";

/**
 * The downloaded security domain, in Azure's format: a random master key, split by Shamir's
 * scheme (prime-field-shares.ts) into one share per wrapping key (any `required` of them rebuild
 * it), each share encrypted to its holder's certificate; and the domain key encrypted under a key
 * derived from the master key (EncData). The server makes it in memory and hands it out once;
 * shares and master key are zeroed after use.
 */
export async function createSecurityDomainFile(options: {
  domainKey: Buffer;
  wrappingKeys: WrappingKey[];
  required: number;
}): Promise<SecurityDomainFile> {
  const masterKey = randomBytes(MASTER_KEY_BYTES);
  let shares: Buffer[] = [];
  try {
    shares = splitSecret(masterKey, options.wrappingKeys.length, options.required);
    const encShares: EncShare[] = [];
    for (const [index, holder] of options.wrappingKeys.entries()) {
      encShares.push({
        enc_key: await encryptToRsaKey(holder.publicKey, holder.x5tS256, shares[index] as Buffer),
        x5t_256: holder.x5tS256,
      });
    }
    return {
      EncData: await sealDomainKey(masterKey, options.domainKey),
      SharedKeys: { enc_shares: encShares, key_algorithm: KEY_ALGORITHM, required: options.required },
    };
  } finally {
    masterKey.fill(0);
    for (const share of shares) share.fill(0);
  }
}

/** A security domain file as read: Azure's format, or mhsm's earlier format 1.0. */
export type ParsedSecurityDomain =
  { format: "azure"; file: SecurityDomainFile } | { format: "mhsm-1.0"; file: LegacySecurityDomainFile };

/** Checks the shape of a security domain file (its cryptography is checked by recoverDomainKey). */
export function parseSecurityDomainFile(value: unknown): ParsedSecurityDomain {
  const fail = (why: string) => new SecurityDomainFormatError(`The security domain file ${why}.`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail("is not a JSON object");
  if (isLegacyFile(value)) return { format: "mhsm-1.0", file: parseLegacyFile(value) };
  const file = value as Partial<SecurityDomainFile> & { WrappedKey?: unknown };
  if (file.SharedKeys === undefined && file.WrappedKey !== undefined) {
    throw fail(
      "is an upload blob (it has WrappedKey), made for one HSM's transfer key: upload the security domain file itself",
    );
  }
  checkEncData(file.EncData, fail);
  const shared = file.SharedKeys as Partial<SecurityDomainFile["SharedKeys"]> | undefined;
  if (typeof shared !== "object" || shared === null) throw fail("has no SharedKeys");
  if (shared.key_algorithm !== KEY_ALGORITHM) {
    throw fail(
      `has SharedKeys.key_algorithm ${JSON.stringify(shared.key_algorithm ?? null)}; only '${KEY_ALGORITHM}' is supported`,
    );
  }
  const required = shared.required;
  if (
    typeof required !== "number" ||
    !Number.isInteger(required) ||
    required < MIN_QUORUM ||
    required > MAX_QUORUM
  ) {
    throw fail(`has a quorum (SharedKeys.required) outside ${MIN_QUORUM}-${MAX_QUORUM}`);
  }
  if (!Array.isArray(shared.enc_shares) || shared.enc_shares.length < required) {
    throw fail("holds fewer shares than its quorum");
  }
  if (shared.enc_shares.length > MAX_CERTIFICATES) {
    throw fail(`holds ${shared.enc_shares.length} shares; a security domain has at most ${MAX_CERTIFICATES}`);
  }
  for (const share of shared.enc_shares) {
    if (typeof share?.enc_key !== "string" || typeof share.x5t_256 !== "string") {
      throw fail("has a share without enc_key or x5t_256");
    }
  }
  return { format: "azure", file: file as SecurityDomainFile };
}

/**
 * The client side of an upload: decrypts the shares that the given private keys hold, rebuilds
 * the master key from a quorum of them and opens the domain key. Every way this can go wrong
 * (a key that is not a wrapping key, too few keys, shares that do not rebuild this domain) is
 * an error that says which.
 */
export async function recoverDomainKey(
  parsed: ParsedSecurityDomain,
  privateKeys: Array<{ label: string; key: KeyObject }>,
): Promise<Buffer> {
  const seen = new Map<string, string>();
  for (const { label, key } of privateKeys) {
    if (key.asymmetricKeyType !== "rsa") {
      throw new SecurityDomainFormatError(`${label} is not an RSA private key.`);
    }
    const thumbprint = keyThumbprint(createPublicKey(key));
    const twin = seen.get(thumbprint);
    if (twin) throw new SecurityDomainFormatError(`${label} is the same key as ${twin}.`);
    seen.set(thumbprint, label);
  }
  if (parsed.format === "mhsm-1.0") return recoverLegacyDomainKey(parsed.file, privateKeys);
  return recoverFromAzureFile(parsed.file, privateKeys);
}

async function recoverFromAzureFile(
  file: SecurityDomainFile,
  privateKeys: Array<{ label: string; key: KeyObject }>,
): Promise<Buffer> {
  const { required, enc_shares: encShares } = file.SharedKeys;
  const shares: Buffer[] = [];
  const used = new Set<number>();
  try {
    for (const { label, key } of privateKeys) {
      // Azure's file names a share by its certificate's thumbprint, and a holder here gives only
      // a private key: the share is the one whose content key that private key unwraps.
      const share = await openOwnShare(encShares, used, key, label);
      if (!share) {
        throw new SecurityDomainFormatError(
          `${label} is not one of this security domain's wrapping keys (no share is encrypted to it).`,
        );
      }
      shares.push(share);
    }
    if (shares.length < required) throw tooFewKeys(required, encShares.length, shares.length);
    // As Azure's reader: the first `required` shares rebuild the master key.
    const masterKey = combineOrExplain(shares.slice(0, required));
    try {
      if (masterKey.length !== MASTER_KEY_BYTES) {
        throw new SecurityDomainFormatError(
          "The shares do not hold a 32-byte master key: the security domain is damaged.",
        );
      }
      return await openDomainKey(
        masterKey,
        file.EncData,
        "The shares do not rebuild this security domain's master key: the file was changed or mixes security domains.",
      );
    } finally {
      masterKey.fill(0);
    }
  } finally {
    for (const share of shares) share.fill(0);
  }
}

function combineOrExplain(shares: Buffer[]): Buffer {
  try {
    return combineShares(shares);
  } catch (error) {
    if (!(error instanceof SecurityDomainFormatError)) throw error;
    throw new SecurityDomainFormatError(`${error.message} The file was changed or mixes security domains.`);
  }
}

async function openOwnShare(
  encShares: EncShare[],
  used: Set<number>,
  key: KeyObject,
  label: string,
): Promise<Buffer | undefined> {
  for (const [index, encShare] of encShares.entries()) {
    if (used.has(index) || !unwrapsContentKey(key, encShare.enc_key)) continue;
    used.add(index);
    const share = await tryDecryptWithRsaKey(key, encShare.enc_key);
    if (!share) {
      throw new SecurityDomainFormatError(
        `The share for ${label} is damaged: its JWE does not verify (the file was changed).`,
      );
    }
    return share;
  }
  return undefined;
}

/**
 * Whether this private key unwraps the JWE's content key: RSA-OAEP's padding check tells a
 * holder's own share from another's, so a damaged share is reported as damaged, not as foreign.
 */
function unwrapsContentKey(key: KeyObject, jwe: string): boolean {
  const [header, encryptedKey] = jwe.split(".");
  try {
    const { alg } = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as { alg?: unknown };
    if (alg !== "RSA-OAEP-256" && alg !== "RSA-OAEP") return false;
    const cek = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" },
      Buffer.from(encryptedKey ?? "", "base64url"),
    );
    cek.fill(0);
    return true;
  } catch {
    return false;
  }
}
