import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * The barrier seals every secret before it reaches the store and opens it on the way back
 * (DESIGN.md, layer 5). AES-256-GCM under a key derived from the domain key; the record's
 * identity is the additional data, so a sealed value copied onto another record fails to open.
 *
 * Sealed format (base64url): version byte 0x01 | 12-byte nonce | ciphertext | 16-byte tag.
 */
const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class BarrierError extends Error {}

export class Barrier {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Derives the barrier key from the domain key; other purposes derive other keys (deriveKey). */
  static fromDomainKey(domainKey: Buffer): Barrier {
    return new Barrier(deriveKey(domainKey, "mhsm barrier v1"));
  }

  seal(plaintext: Buffer | string, recordIdentity: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, nonce);
    cipher.setAAD(Buffer.from(recordIdentity, "utf8"));
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, body, cipher.getAuthTag()]).toString("base64url");
  }

  open(sealed: string, recordIdentity: string): Buffer {
    const raw = Buffer.from(sealed, "base64url");
    if (raw.length < 1 + NONCE_BYTES + TAG_BYTES || raw[0] !== FORMAT_VERSION) {
      throw new BarrierError(`sealed value for ${recordIdentity} has an unknown format`);
    }
    const nonce = raw.subarray(1, 1 + NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(1 + NONCE_BYTES, raw.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.#key, nonce);
    decipher.setAAD(Buffer.from(recordIdentity, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      // Never say more: the reason is either another domain key or tampering.
      throw new BarrierError(`sealed value for ${recordIdentity} failed authentication`);
    }
  }

  openString(sealed: string, recordIdentity: string): string {
    return this.open(sealed, recordIdentity).toString("utf8");
  }
}

/** HKDF-SHA256 of the domain key for one named purpose, so no two uses share a key. */
export function deriveKey(domainKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", domainKey, Buffer.alloc(0), Buffer.from(purpose, "utf8"), 32));
}
