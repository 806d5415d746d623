import type { KeyObject } from "node:crypto";
import type { HashName } from "../key-algorithms.js";
import { signPkcs1, signPss } from "./rsa-signature.js";

/**
 * Who does RSA private-key signing. node:crypto has no asynchronous RSA operation over a
 * given digest, so on the event loop each signature blocks it for the whole modular
 * exponentiation; a signer may move that work elsewhere (see RsaSignerPool).
 */
export interface RsaSigner {
  sign(privateKey: KeyObject, scheme: "pkcs1" | "pss", hash: HashName, digest: Buffer): Promise<Buffer>;
  /** The key will not be used again (purged, or out of the material cache). */
  forget(privateKey: KeyObject): void;
  close(): Promise<void>;
}

/** Signs on the calling thread. */
export class InlineRsaSigner implements RsaSigner {
  async sign(
    privateKey: KeyObject,
    scheme: "pkcs1" | "pss",
    hash: HashName,
    digest: Buffer,
  ): Promise<Buffer> {
    return scheme === "pss" ? signPss(privateKey, hash, digest) : signPkcs1(privateKey, hash, digest);
  }

  forget(): void {}

  async close(): Promise<void> {}
}
