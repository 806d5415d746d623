import { type KeyObject, createPublicKey } from "node:crypto";
import {
  type LegacyEncData,
  checkLegacyEncData,
  legacyDecryptWithRsaKey,
  openLegacyDomainKey,
} from "./legacy-enc-data.js";
import { combineShares } from "./legacy-shamir-gf256.js";
import {
  MAX_QUORUM,
  MIN_QUORUM,
  SecurityDomainFormatError,
  domainKeyIdOf,
} from "./security-domain-format.js";
import { keyThumbprint } from "./wrapping-key.js";

/**
 * mhsm's own security domain format 1.0 (docs/security-domain-format.md, "Format 1.0"), which
 * mhsm wrote before it switched to Azure's. Read only, so that nobody's security domain is
 * stranded: `mhsm security-domain upload` still recovers the domain key from such a file, and the
 * server still opens an upload blob an earlier mhsm CLI prepared. Both carry a `format` field,
 * which Azure's never do: that is how they are told apart.
 */
export const LEGACY_FILE_FORMAT = "mhsm-security-domain";
export const LEGACY_UPLOAD_FORMAT = "mhsm-security-domain-upload";
const LEGACY_VERSION = "1.0";
const LEGACY_SHARING = "shamir-gf256";

export interface LegacySecurityDomainFile {
  format: typeof LEGACY_FILE_FORMAT;
  version: typeof LEGACY_VERSION;
  domain_key_id: string;
  EncData: LegacyEncData;
  SharedKeys: {
    algorithm: typeof LEGACY_SHARING;
    required: number;
    enc_shares: Array<{ x5t_256: string; key_thumbprint: string; enc_key: string }>;
  };
}

interface LegacyUploadBlob {
  format: typeof LEGACY_UPLOAD_FORMAT;
  version: typeof LEGACY_VERSION;
  domain_key_id: string;
  EncData: LegacyEncData;
  WrappedKey: { x5t_256: string; enc_key: string };
}

const formatOf = (value: unknown) =>
  typeof value === "object" && value !== null ? (value as { format?: unknown }).format : undefined;

export const isLegacyFile = (value: unknown) => formatOf(value) === LEGACY_FILE_FORMAT;
export const isLegacyUploadBlob = (value: unknown) => formatOf(value) === LEGACY_UPLOAD_FORMAT;

export function parseLegacyFile(value: unknown): LegacySecurityDomainFile {
  const fail = (why: string) => new SecurityDomainFormatError(`The security domain file ${why}.`);
  const file = value as Partial<LegacySecurityDomainFile>;
  if (file.version !== LEGACY_VERSION) {
    throw fail(
      `has version ${JSON.stringify(file.version ?? null)}; this mhsm reads version ${LEGACY_VERSION}`,
    );
  }
  if (typeof file.domain_key_id !== "string") throw fail("has no domain_key_id");
  checkLegacyEncData(file.EncData, fail);
  const shared = file.SharedKeys;
  if (!shared || shared.algorithm !== LEGACY_SHARING) throw fail(`has no ${LEGACY_SHARING} SharedKeys`);
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
  return file as LegacySecurityDomainFile;
}

/** The client side: the domain key from a quorum of private keys (each finds its share by key thumbprint). */
export async function recoverLegacyDomainKey(
  file: LegacySecurityDomainFile,
  privateKeys: Array<{ label: string; key: KeyObject }>,
): Promise<Buffer> {
  const { required, enc_shares: encShares } = file.SharedKeys;
  const shares: Buffer[] = [];
  try {
    for (const { label, key } of privateKeys) {
      const thumbprint = keyThumbprint(createPublicKey(key));
      const encShare = encShares.find((share) => share.key_thumbprint === thumbprint);
      if (!encShare) {
        throw new SecurityDomainFormatError(
          `${label} is not one of this security domain's wrapping keys (no share is encrypted to it).`,
        );
      }
      shares.push(await legacyDecryptWithRsaKey(key, encShare.enc_key, `The share for ${label}`));
    }
    if (shares.length < required) throw tooFewKeys(required, encShares.length, shares.length);
    const masterKey = await combineShares(shares).catch(() => {
      throw new SecurityDomainFormatError(
        "The shares could not be combined: the security domain is damaged.",
      );
    });
    try {
      const domainKey = await openLegacyDomainKey(
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

export function tooFewKeys(required: number, shares: number, given: number): SecurityDomainFormatError {
  return new SecurityDomainFormatError(
    `This security domain needs ${required} of its ${shares} wrapping keys; ${given} ${given === 1 ? "was" : "were"} given.`,
  );
}

/** The server side of an upload blob an earlier mhsm CLI prepared for this transfer key. */
export async function openLegacyUploadBlob(
  value: unknown,
  transferKey: { x5tS256: string; privateKey: KeyObject },
  fail: (why: string) => SecurityDomainFormatError,
): Promise<Buffer> {
  const blob = value as Partial<LegacyUploadBlob>;
  if (blob.version !== LEGACY_VERSION) throw fail(`has version ${JSON.stringify(blob.version ?? null)}`);
  checkLegacyEncData(blob.EncData, fail);
  const wrapped = blob.WrappedKey;
  if (typeof wrapped?.enc_key !== "string" || typeof wrapped.x5t_256 !== "string") {
    throw fail("has no WrappedKey");
  }
  if (wrapped.x5t_256 !== transferKey.x5tS256) throw preparedForAnotherKey(fail);
  const masterKey = await legacyDecryptWithRsaKey(transferKey.privateKey, wrapped.enc_key, "WrappedKey");
  try {
    const domainKey = await openLegacyDomainKey(
      masterKey,
      blob.EncData,
      "The uploaded security domain failed authentication: it was changed after it was prepared.",
    );
    if (blob.domain_key_id !== domainKeyIdOf(domainKey)) {
      domainKey.fill(0);
      throw fail("names another domain key than the one it holds");
    }
    return domainKey;
  } finally {
    masterKey.fill(0);
  }
}

export function preparedForAnotherKey(fail: (why: string) => SecurityDomainFormatError) {
  return fail(
    "was prepared for another transfer key (the server restarted, or it is not this HSM's); get the transfer key again and prepare the upload anew",
  );
}
