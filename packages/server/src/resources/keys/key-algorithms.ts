import type { CurveName, KeyOperation, KeyType } from "./key-model.js";

/**
 * What each algorithm needs from a key: its type, and where it matters, the curve or the
 * AES key size. One table per operation family, so "is this algorithm valid for this key and
 * this operation" is a lookup and the error can say exactly which keys it needs.
 */
export type HashName = "sha1" | "sha256" | "sha384" | "sha512";

export type SignatureAlgorithm = {
  kty: KeyType;
  hash: HashName;
  /** Bytes the digest must have. */
  digestBytes: number;
} & ({ scheme: "pkcs1" | "pss" } | { scheme: "ecdsa"; curve: CurveName } | { scheme: "hmac" });

export const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  RS256: { kty: "RSA-HSM", scheme: "pkcs1", hash: "sha256", digestBytes: 32 },
  RS384: { kty: "RSA-HSM", scheme: "pkcs1", hash: "sha384", digestBytes: 48 },
  RS512: { kty: "RSA-HSM", scheme: "pkcs1", hash: "sha512", digestBytes: 64 },
  PS256: { kty: "RSA-HSM", scheme: "pss", hash: "sha256", digestBytes: 32 },
  PS384: { kty: "RSA-HSM", scheme: "pss", hash: "sha384", digestBytes: 48 },
  PS512: { kty: "RSA-HSM", scheme: "pss", hash: "sha512", digestBytes: 64 },
  ES256: { kty: "EC-HSM", scheme: "ecdsa", curve: "P-256", hash: "sha256", digestBytes: 32 },
  ES256K: { kty: "EC-HSM", scheme: "ecdsa", curve: "P-256K", hash: "sha256", digestBytes: 32 },
  ES384: { kty: "EC-HSM", scheme: "ecdsa", curve: "P-384", hash: "sha384", digestBytes: 48 },
  ES512: { kty: "EC-HSM", scheme: "ecdsa", curve: "P-521", hash: "sha512", digestBytes: 64 },
  HS256: { kty: "oct-HSM", scheme: "hmac", hash: "sha256", digestBytes: 32 },
  HS384: { kty: "oct-HSM", scheme: "hmac", hash: "sha384", digestBytes: 48 },
  HS512: { kty: "oct-HSM", scheme: "hmac", hash: "sha512", digestBytes: 64 },
};

export type CipherAlgorithm =
  | { kty: "RSA-HSM"; scheme: "oaep"; hash: HashName }
  | { kty: "RSA-HSM"; scheme: "pkcs1v15" }
  | { kty: "oct-HSM"; scheme: "gcm" | "cbc" | "cbcpad"; keyBits: number }
  /** RFC 3394 (`pad: false`) or RFC 5649 (`pad: true`); keyBits undefined: any AES key size. */
  | { kty: "oct-HSM"; scheme: "kw"; pad: boolean; keyBits: number | undefined };

const RSA_CIPHERS: Record<string, CipherAlgorithm> = {
  "RSA-OAEP": { kty: "RSA-HSM", scheme: "oaep", hash: "sha1" },
  "RSA-OAEP-256": { kty: "RSA-HSM", scheme: "oaep", hash: "sha256" },
  RSA1_5: { kty: "RSA-HSM", scheme: "pkcs1v15" },
};

/** encrypt / decrypt */
export const ENCRYPTION_ALGORITHMS: Record<string, CipherAlgorithm> = {
  ...RSA_CIPHERS,
  A128GCM: { kty: "oct-HSM", scheme: "gcm", keyBits: 128 },
  A192GCM: { kty: "oct-HSM", scheme: "gcm", keyBits: 192 },
  A256GCM: { kty: "oct-HSM", scheme: "gcm", keyBits: 256 },
  A128CBC: { kty: "oct-HSM", scheme: "cbc", keyBits: 128 },
  A192CBC: { kty: "oct-HSM", scheme: "cbc", keyBits: 192 },
  A256CBC: { kty: "oct-HSM", scheme: "cbc", keyBits: 256 },
  A128CBCPAD: { kty: "oct-HSM", scheme: "cbcpad", keyBits: 128 },
  A192CBCPAD: { kty: "oct-HSM", scheme: "cbcpad", keyBits: 192 },
  A256CBCPAD: { kty: "oct-HSM", scheme: "cbcpad", keyBits: 256 },
};

/** wrapKey / unwrapKey */
export const WRAP_ALGORITHMS: Record<string, CipherAlgorithm> = {
  ...RSA_CIPHERS,
  A128KW: { kty: "oct-HSM", scheme: "kw", pad: false, keyBits: 128 },
  A192KW: { kty: "oct-HSM", scheme: "kw", pad: false, keyBits: 192 },
  A256KW: { kty: "oct-HSM", scheme: "kw", pad: false, keyBits: 256 },
  A128KWPAD: { kty: "oct-HSM", scheme: "kw", pad: true, keyBits: 128 },
  A192KWPAD: { kty: "oct-HSM", scheme: "kw", pad: true, keyBits: 192 },
  A256KWPAD: { kty: "oct-HSM", scheme: "kw", pad: true, keyBits: 256 },
  CKM_AES_KEY_WRAP: { kty: "oct-HSM", scheme: "kw", pad: false, keyBits: undefined },
  CKM_AES_KEY_WRAP_PAD: { kty: "oct-HSM", scheme: "kw", pad: true, keyBits: undefined },
};

/** The key operation (`key_ops` member) each HTTP operation needs. */
export type CryptoOperation = Extract<
  KeyOperation,
  "encrypt" | "decrypt" | "sign" | "verify" | "wrapKey" | "unwrapKey"
>;
