import { BackupKeyring } from "../backup/backup-format.js";

/**
 * The security domain's JSON shapes, in Azure's format, as the Azure CLI's keyvault
 * `security_domain` code reads and writes them (/work/shared/specs/security-domain-azure-format.md
 * and docs/security-domain-format.md describe them): a file `az keyvault security-domain
 * restore-blob` can read, and an upload blob it can make. Files in mhsm's earlier format still
 * upload (legacy-format.ts).
 */
export const KDF_NAME = "sp108_kdf";
export const KEY_ALGORITHM = "shamir_share";
/** The one datum an mhsm security domain carries: the domain key. */
export const DOMAIN_KEY_TAG = "mhsm-domain-key-v1";
export const MIN_CERTIFICATES = 3;
export const MAX_CERTIFICATES = 10;
export const MIN_QUORUM = 2;
export const MAX_QUORUM = 10;
/** The random key the shares (or the transfer key) protect; every datum's key derives from it. */
export const MASTER_KEY_BYTES = 32;
export const DOMAIN_KEY_BYTES = 32;

/** One encrypted datum, under the key SP 800-108 derives from the master key and its tag. */
export interface EncDatum {
  /** JWE compact: alg "dir", enc "A256CBC-HS512", kid = tag. */
  compact_jwe: string;
  tag: string;
}

export interface EncData {
  data: EncDatum[];
  kdf: typeof KDF_NAME;
}

/** The master key's share for one wrapping key holder. */
export interface EncShare {
  /** JWE compact: alg "RSA-OAEP-256", enc "A256CBC-HS512" to the holder's certificate; the plaintext is the share. */
  enc_key: string;
  /** base64url SHA-256 of the holder's certificate (DER): its x5t#S256. */
  x5t_256: string;
}

/** What POST /securitydomain/download hands out (as the `value` string) and `download` writes. */
export interface SecurityDomainFile {
  EncData: EncData;
  SharedKeys: {
    enc_shares: EncShare[];
    key_algorithm: typeof KEY_ALGORITHM;
    required: number;
  };
}

/** What an upload sends as the SecurityDomainObject's value, made for one transfer key. */
export interface UploadBlob {
  EncData: EncData;
  WrappedKey: {
    /** JWE compact: alg "RSA-OAEP-256", enc "A256CBC-HS512"; the plaintext is a fresh master key. */
    enc_key: string;
    /** The transfer key's x5t#S256: a blob made for another transfer key is refused plainly. */
    x5t_256: string;
  };
}

/**
 * A security domain, upload blob or wrapping key that cannot be used; the message says why. Its
 * own class because the CLI's client side (client-side.ts) throws it too; the server turns it into
 * the catalog's InvalidSecurityDomain or BadParameter answers.
 */
export class SecurityDomainFormatError extends Error {}

/** The id backups carry in their manifest, so a security domain and a backup name a domain alike. */
export function domainKeyIdOf(domainKey: Buffer): string {
  return new BackupKeyring(domainKey).domainKeyId;
}
