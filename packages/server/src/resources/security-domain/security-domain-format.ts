import { BackupKeyring } from "../backup/backup-format.js";

/**
 * The security domain's JSON shapes (docs/security-domain-format.md is the reference). Close to
 * Azure's (EncData, SharedKeys with enc_shares, WrappedKey), but mhsm's own format: the
 * `format` field says so, and Azure's tools cannot read it (nor mhsm theirs).
 */
export const SECURITY_DOMAIN_FORMAT = "mhsm-security-domain";
export const UPLOAD_FORMAT = "mhsm-security-domain-upload";
export const FORMAT_VERSION = "1.0";
/** The one datum a version 1.0 security domain carries: the domain key. */
export const DOMAIN_KEY_TAG = "mhsm-domain-key-v1";
export const KDF_NAME = "HKDF-SHA256";
export const SHARING_ALGORITHM = "shamir-gf256";
export const MIN_CERTIFICATES = 3;
export const MAX_CERTIFICATES = 10;
export const MIN_QUORUM = 2;
export const MAX_QUORUM = 10;

/** One encrypted datum, sealed under a key derived from the master key and the datum's tag. */
export interface EncDatum {
  tag: string;
  /** JWE compact: alg "dir", enc "A256GCM", kid = tag. */
  compact_jwe: string;
}

export interface EncData {
  kdf: typeof KDF_NAME;
  data: EncDatum[];
}

/** The master key's share for one wrapping key holder. */
export interface EncShare {
  /** base64url SHA-256 of the wrapping certificate (DER), as x5t#S256. */
  x5t_256: string;
  /** RFC 7638 SHA-256 thumbprint of the certificate's RSA public key: finds the share for a private key. */
  key_thumbprint: string;
  /** JWE compact: alg "RSA-OAEP-256", enc "A256GCM", kid = x5t_256; the plaintext is the share. */
  enc_key: string;
}

export interface SecurityDomainFile {
  format: typeof SECURITY_DOMAIN_FORMAT;
  version: typeof FORMAT_VERSION;
  hsm_name: string;
  /** Names the domain key (HKDF of it, as backups name it): never the key itself. */
  domain_key_id: string;
  created: string;
  EncData: EncData;
  SharedKeys: {
    algorithm: typeof SHARING_ALGORITHM;
    required: number;
    enc_shares: EncShare[];
  };
}

/** What `mhsm security-domain upload` sends as the SecurityDomainObject's value. */
export interface UploadBlob {
  format: typeof UPLOAD_FORMAT;
  version: typeof FORMAT_VERSION;
  domain_key_id: string;
  EncData: EncData;
  WrappedKey: {
    /** The transfer key's x5t#S256: a blob made for another transfer key is refused plainly. */
    x5t_256: string;
    /** JWE compact: alg "RSA-OAEP-256", enc "A256GCM"; the plaintext is a fresh master key. */
    enc_key: string;
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
