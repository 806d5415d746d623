import type { KeyObject } from "node:crypto";
import { parentPort } from "node:worker_threads";
import type { HashName } from "../key-algorithms.js";
import { signPkcs1, signPss } from "./rsa-signature.js";

/**
 * A worker thread of RsaSignerPool: signs digests with RSA private keys. A key crosses the
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
      scheme: "pkcs1" | "pss";
      hash: HashName;
      digest: Uint8Array;
    }
  | { kind: "forget"; keyId: number };

export type SignResponse = { id: number; signature: Uint8Array } | { id: number; error: string };

const keys = new Map<number, KeyObject>();

parentPort?.on("message", (message: WorkerMessage) => {
  if (message.kind === "forget") {
    keys.delete(message.keyId);
    return;
  }
  try {
    if (message.key) keys.set(message.keyId, message.key);
    const key = keys.get(message.keyId);
    if (!key) throw new Error("unknown key");
    const digest = Buffer.from(message.digest.buffer, message.digest.byteOffset, message.digest.byteLength);
    const signature =
      message.scheme === "pss" ? signPss(key, message.hash, digest) : signPkcs1(key, message.hash, digest);
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
