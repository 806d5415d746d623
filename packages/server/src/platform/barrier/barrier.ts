import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";

/**
 * The barrier seals every secret before it reaches the store and opens it on the way back
 * (DESIGN.md, layer 5). AES-256-GCM under a key derived from the domain key; the record's
 * identity is the additional data, so a sealed value copied onto another record fails to open.
 *
 * Sealed format (base64url): version byte 0x01 | 12-byte nonce | ciphertext | 16-byte tag.
 *
 * Two barriers exist. The domain barrier (domain key) seals the HSM's contents: key material,
 * job requests. The node barrier (node key, <data-dir>/node.key) seals what the server needs
 * to run before it has a domain key (TLS private keys, the identity provider's signing key,
 * principals' secret hashes), so a server waiting for its security domain can still serve
 * HTTPS and authenticate the administrator who brings it.
 */
const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A value the barrier sealed. The store's sealed columns have this type (platform/store/schema.ts)
 * and only `seal` makes one, so a repository cannot write a secret into them unsealed: the
 * barrier wraps storage for every repository that keeps one, whether or not it remembers to.
 */
export type Sealed = string & { readonly __sealedByTheBarrier: unique symbol };

/**
 * Not a Key Vault answer: a sealed value that does not open, or a barrier without its key. Callers
 * that can say more catch it (node-key.ts); anywhere else it is an internal error (500).
 */
export class BarrierError extends Error {}

const PURPOSE = { domain: "mhsm barrier v1", node: "mhsm node barrier v1" } as const;
type BarrierKind = keyof typeof PURPOSE;

export class Barrier {
  #key: Buffer | undefined;

  private constructor(
    private readonly kind: BarrierKind,
    key: Buffer | undefined,
  ) {
    this.#key = key && deriveKey(key, PURPOSE[kind]);
  }

  /** Derives the barrier key from the domain key; other purposes derive other keys (deriveKey). */
  static fromDomainKey(domainKey: Buffer): Barrier {
    return new Barrier("domain", domainKey);
  }

  /** The node barrier: its key is derived from the node key, never from the domain key. */
  static fromNodeKey(nodeKey: Buffer): Barrier {
    return new Barrier("node", nodeKey);
  }

  /**
   * A domain barrier whose key comes later, when the HSM is activated (security domain download
   * or upload). Until then seal and open throw the "HSM not activated" domain error, so code
   * written against the barrier needs no notion of activation.
   */
  static awaitingDomainKey(): Barrier {
    return new Barrier("domain", undefined);
  }

  /** A node barrier whose key is looked up (node.key, or the store's escrow) once the store is open. */
  static awaitingNodeKey(): Barrier {
    return new Barrier("node", undefined);
  }

  get ready(): boolean {
    return this.#key !== undefined;
  }

  /** Gives an awaiting barrier its (domain or node) key, once. */
  provideKey(key: Buffer): void {
    if (this.#key) throw new BarrierError("the barrier already has its key");
    this.#key = deriveKey(key, PURPOSE[this.kind]);
  }

  seal(plaintext: Buffer | string, recordIdentity: string): Sealed {
    const key = this.#requireKey();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(Buffer.from(recordIdentity, "utf8"));
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, body, cipher.getAuthTag()]).toString(
      "base64url",
    ) as Sealed;
  }

  open(sealed: string, recordIdentity: string): Buffer {
    const key = this.#requireKey();
    const raw = Buffer.from(sealed, "base64url");
    if (raw.length < 1 + NONCE_BYTES + TAG_BYTES || raw[0] !== FORMAT_VERSION) {
      throw new BarrierError(`sealed value for ${recordIdentity} has an unknown format`);
    }
    const nonce = raw.subarray(1, 1 + NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(1 + NONCE_BYTES, raw.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, nonce);
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

  #requireKey(): Buffer {
    if (this.#key) return this.#key;
    if (this.kind === "domain") throw KeyVaultErrors.hsmNotActivated();
    throw new BarrierError("the node key is not loaded yet");
  }
}

/** HKDF-SHA256 of the domain key for one named purpose, so no two uses share a key. */
export function deriveKey(domainKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", domainKey, Buffer.alloc(0), Buffer.from(purpose, "utf8"), 32));
}
