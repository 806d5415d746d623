import { parentPort } from "node:worker_threads";
import type { KeyObject } from "node:crypto";
import type { HashName } from "../key-algorithms.js";
import { signPkcs1, signPss } from "./rsa-signature.js";

/**
 * A worker thread of RsaSignerPool: signs digests with the RSA private keys it is sent. Keys
 * arrive as KeyObjects (postMessage shares OpenSSL's key, nothing is re-parsed or exported).
 */
export interface SignRequest {
  id: number;
  key: KeyObject;
  scheme: "pkcs1" | "pss";
  hash: HashName;
  digest: Uint8Array;
}

export type SignResponse = { id: number; signature: Uint8Array } | { id: number; error: string };

parentPort?.on("message", (request: SignRequest) => {
  try {
    const digest = Buffer.from(request.digest.buffer, request.digest.byteOffset, request.digest.byteLength);
    const signature =
      request.scheme === "pss"
        ? signPss(request.key, request.hash, digest)
        : signPkcs1(request.key, request.hash, digest);
    parentPort?.postMessage({ id: request.id, signature } satisfies SignResponse, [
      signature.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : "signing failed",
    } satisfies SignResponse);
  }
});
