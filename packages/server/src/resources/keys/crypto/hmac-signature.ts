import { type KeyObject, createHmac, timingSafeEqual } from "node:crypto";
import type { HashName } from "../key-algorithms.js";

/** HS256/384/512 on oct keys: an HMAC of the value the client sent (its digest). */
export function signHmac(secret: KeyObject, hash: HashName, digest: Buffer): Buffer {
  return createHmac(hash, secret).update(digest).digest();
}

export function verifyHmac(secret: KeyObject, hash: HashName, digest: Buffer, signature: Buffer): boolean {
  const expected = signHmac(secret, hash, digest);
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}
