import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";

/**
 * Byte fields on the wire are base64url without padding. Clients differ in what they send
 * (some pad, some older ones use the standard alphabet), so decoding is liberal about those,
 * and strict about anything else: garbage is a 400 naming the field, never silently dropped.
 */
const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeBase64Url(value: string, field: string): Buffer {
  if (!BASE64_ANY.test(value) || value.replace(/=+$/, "").length % 4 === 1) {
    throw KeyVaultErrors.badParameter(`The '${field}' field is not valid base64url.`);
  }
  return Buffer.from(value.replace(/\+/g, "-").replace(/\//g, "_"), "base64url");
}

export function encodeBase64Url(bytes: Buffer | Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}
