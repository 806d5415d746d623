import {
  type KeyObject,
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { HashName } from "../key-algorithms.js";

/**
 * RSA signatures over a digest the client already computed (Key Vault's sign takes a digest,
 * not a message). node:crypto's sign() always hashes its input, so the encodings are done here
 * (EMSA-PKCS1-v1_5 and EMSA-PSS, RFC 8017 §9) and only the raw RSA operation is OpenSSL's,
 * through privateEncrypt/publicDecrypt.
 */

/** DER prefix of DigestInfo for each hash (RFC 8017 §9.2, note 1). */
const DIGEST_INFO_PREFIX: Record<HashName, Buffer> = {
  sha1: Buffer.from("3021300906052b0e03021a05000414", "hex"),
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

export function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new Error("not an RSA key");
  return bits;
}

export function signPkcs1(privateKey: KeyObject, hash: HashName, digest: Buffer): Buffer {
  const digestInfo = Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
}

export function verifyPkcs1(
  publicKey: KeyObject,
  hash: HashName,
  digest: Buffer,
  signature: Buffer,
): boolean {
  if (signature.length !== Math.ceil(modulusBits(publicKey) / 8)) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

/** RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 7518 §3.5). */
export function signPss(privateKey: KeyObject, hash: HashName, digest: Buffer): Buffer {
  const bits = modulusBits(privateKey);
  const k = Math.ceil(bits / 8);
  const encoded = emsaPssEncode(digest, bits - 1, hash, digest.length);
  const block = Buffer.alloc(k);
  encoded.copy(block, k - encoded.length);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
}

/** Verifies with the salt length read from the signature, as OpenSSL's "auto" does. */
export function verifyPss(publicKey: KeyObject, hash: HashName, digest: Buffer, signature: Buffer): boolean {
  const bits = modulusBits(publicKey);
  const k = Math.ceil(bits / 8);
  if (signature.length !== k) return false;
  let block: Buffer;
  try {
    block = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (block.length < emLen || block.subarray(0, block.length - emLen).some((b) => b !== 0)) return false;
  return emsaPssVerify(digest, block.subarray(block.length - emLen), emBits, hash);
}

function mgf1(seed: Buffer, length: number, hash: HashName): Buffer {
  const blocks: Buffer[] = [];
  let produced = 0;
  for (let counter = 0; produced < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function pssHash(hash: HashName, digest: Buffer, salt: Buffer): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
}

/** RFC 8017 §9.1.1 */
export function emsaPssEncode(digest: Buffer, emBits: number, hash: HashName, saltLength: number): Buffer {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + saltLength + 2) throw new Error("RSA key too small for PSS with this hash");
  const salt = randomBytes(saltLength);
  const h = pssHash(hash, digest, salt);
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - saltLength - hLen - 2] = 0x01;
  salt.copy(db, emLen - saltLength - hLen - 1);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.of(0xbc)]);
}

/** RFC 8017 §9.1.2, with the salt length taken from the encoding. */
export function emsaPssVerify(digest: Buffer, em: Buffer, emBits: number, hash: HashName): boolean {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const topMask = 0xff >> (8 * emLen - emBits);
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (((maskedDb[0] as number) & ~topMask) !== 0) return false;
  const mask = mgf1(h, maskedDb.length, hash);
  const db = Buffer.alloc(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & topMask;
  const one = db.findIndex((b) => b !== 0);
  if (one < 0 || db[one] !== 0x01) return false;
  const expected = pssHash(hash, digest, db.subarray(one + 1));
  return timingSafeEqual(expected, h);
}
