import type { KeyObject } from "node:crypto";
import type { CurveName } from "../key-model.js";
import type { HashName } from "../key-algorithms.js";
import { EcdsaKey } from "./ec-signature.js";
import { signPkcs1, signPss } from "./rsa-signature.js";

/** A signature over a digest the client computed: RSA PKCS#1 v1.5 or PSS, or ECDSA. */
export type SignRequest =
  | { scheme: "pkcs1" | "pss"; hash: HashName; digest: Buffer }
  | { scheme: "ecdsa"; curve: CurveName; digest: Buffer };

/**
 * Who does private-key signing over a digest. node:crypto has no asynchronous RSA or ECDSA
 * operation over a given digest (its async sign() hashes the input first), and ECDSA over a
 * digest is @noble/curves' JavaScript, so on the event loop each signature blocks it for the
 * whole computation; a signer may move that work elsewhere (see SignerPool).
 */
export interface PrivateKeySigner {
  sign(privateKey: KeyObject, request: SignRequest): Promise<Buffer>;
  /** The key will not be used again (purged, or out of the material cache). */
  forget(privateKey: KeyObject): void;
  close(): Promise<void>;
}

/**
 * Signs with `privateKey` (ECDSA keys are read once into `ecdsaKeys`, which the caller keeps for
 * as long as it keeps the keys): what both the inline signer and a pool's worker thread run.
 */
export function signWith(
  privateKey: KeyObject,
  request: SignRequest,
  ecdsaKeys: { get(key: KeyObject): EcdsaKey | undefined; set(key: KeyObject, value: EcdsaKey): unknown },
): Buffer {
  switch (request.scheme) {
    case "pkcs1":
      return signPkcs1(privateKey, request.hash, request.digest);
    case "pss":
      return signPss(privateKey, request.hash, request.digest);
    case "ecdsa": {
      let key = ecdsaKeys.get(privateKey);
      if (!key) {
        key = new EcdsaKey(privateKey, request.curve);
        ecdsaKeys.set(privateKey, key);
      }
      return key.sign(request.digest);
    }
  }
}

/** Signs on the calling thread. */
export class InlineSigner implements PrivateKeySigner {
  readonly #ecdsaKeys = new WeakMap<KeyObject, EcdsaKey>();

  async sign(privateKey: KeyObject, request: SignRequest): Promise<Buffer> {
    return signWith(privateKey, request, this.#ecdsaKeys);
  }

  forget(): void {}

  async close(): Promise<void> {}
}
