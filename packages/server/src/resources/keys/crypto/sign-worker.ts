import type { KeyObject } from "node:crypto";
import { parentPort } from "node:worker_threads";
import type { EcdsaKey } from "./ec-signature.js";
import { type SignRequest, signWith } from "./private-key-signer.js";

/**
 * A worker thread of SignerPool: signs digests with RSA and EC private keys. A key crosses the
 * thread boundary once (posting a KeyObject costs far more than a signature's digest), then
 * requests name it by number; the pool tells the worker when to forget one.
 */
export type WorkerMessage =
  | {
      kind: "sign";
      id: number;
      keyId: number;
      /** Present the first time this worker sees the key. */
      key?: KeyObject;
      /** The request, its digest as the Uint8Array a posted Buffer arrives as. */
      request: Omit<SignRequest, "digest"> & { digest: Uint8Array };
    }
  | { kind: "forget"; keyId: number };

export type SignResponse = { id: number; signature: Uint8Array } | { id: number; error: string };

const keys = new Map<number, KeyObject>();
/** EC keys read for ECDSA, by the KeyObject they were read from (they go when it goes). */
const ecdsaKeys = new Map<KeyObject, EcdsaKey>();

parentPort?.on("message", (message: WorkerMessage) => {
  if (message.kind === "forget") {
    const key = keys.get(message.keyId);
    if (key) ecdsaKeys.delete(key);
    keys.delete(message.keyId);
    return;
  }
  try {
    if (message.key) keys.set(message.keyId, message.key);
    const key = keys.get(message.keyId);
    if (!key) throw new Error("unknown key");
    const { digest } = message.request;
    const request = {
      ...message.request,
      digest: Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength),
    } as SignRequest;
    const signature = signWith(key, request, ecdsaKeys);
    parentPort?.postMessage({ id: message.id, signature } satisfies SignResponse, [
      signature.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    parentPort?.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : "signing failed",
    } satisfies SignResponse);
  }
});
