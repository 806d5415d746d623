import type { KeyObject } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { PrivateKeySigner, SignRequest } from "./private-key-signer.js";
import type { SignResponse, WorkerMessage } from "./sign-worker.js";

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  /** Keys this worker holds, by the pool's number for them. */
  known: Set<number>;
}

/**
 * RSA and ECDSA signing on worker threads, so a busy HSM signs on every core while the event loop
 * keeps serving HTTPS, tokens and RBAC. node:crypto has no asynchronous signing over a given
 * digest (its async sign() hashes the input first), so the thread pool is ours: a request goes
 * to the worker with the fewest in flight. Each worker receives a key once and keeps it until
 * the pool is told to forget it (the key was purged or left the material cache).
 */
export class SignerPool implements PrivateKeySigner {
  readonly #workers: PoolWorker[] = [];
  readonly #pending = new Map<
    number,
    { resolve: (signature: Buffer) => void; reject: (error: Error) => void; slot: number }
  >();
  readonly #keyIds = new WeakMap<KeyObject, number>();
  #nextId = 0;
  #nextKeyId = 0;
  #closed = false;

  constructor(threads: number) {
    // Built code runs the compiled worker. Tests running the TypeScript sources start its .ts
    // twin through tsx, which a worker must register for itself before importing it.
    const fromSources = import.meta.url.endsWith(".ts");
    const workerFile = new URL(fromSources ? "./sign-worker.ts" : "./sign-worker.js", import.meta.url);
    const start = () =>
      fromSources
        ? new Worker(
            `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(workerFile.href)}); });`,
            { eval: true },
          )
        : new Worker(workerFile);
    for (let slot = 0; slot < threads; slot++) {
      const worker = start();
      worker.on("message", (response: SignResponse) => this.settle(response));
      worker.on("error", (error) => this.failAll(slot, error));
      worker.unref();
      this.#workers.push({ worker, inFlight: 0, known: new Set() });
    }
  }

  sign(privateKey: KeyObject, request: SignRequest): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error("the signer pool is closed"));
    let slot = 0;
    for (let i = 1; i < this.#workers.length; i++) {
      if ((this.#workers[i]?.inFlight ?? 0) < (this.#workers[slot]?.inFlight ?? 0)) slot = i;
    }
    const entry = this.#workers[slot] as PoolWorker;
    let keyId = this.#keyIds.get(privateKey);
    if (keyId === undefined) {
      keyId = this.#nextKeyId++;
      this.#keyIds.set(privateKey, keyId);
    }
    const firstTime = !entry.known.has(keyId);
    if (firstTime) entry.known.add(keyId);
    const id = this.#nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, slot });
      // An idle pool must not keep the process alive; a busy one must, until it answers.
      if (entry.inFlight++ === 0) entry.worker.ref();
      const message: WorkerMessage = { kind: "sign", id, keyId, request };
      if (firstTime) message.key = privateKey;
      entry.worker.postMessage(message);
    });
  }

  /** The workers drop their copy of the key. */
  forget(privateKey: KeyObject): void {
    const keyId = this.#keyIds.get(privateKey);
    if (keyId === undefined) return;
    for (const entry of this.#workers) {
      if (!entry.known.delete(keyId)) continue;
      entry.worker.postMessage({ kind: "forget", keyId } satisfies WorkerMessage);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
    for (const [id, pending] of this.#pending) {
      pending.reject(new Error("the signer pool closed"));
      this.#pending.delete(id);
    }
  }

  private settle(response: SignResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    const entry = this.#workers[pending.slot];
    if (entry && --entry.inFlight === 0) entry.worker.unref();
    if ("error" in response) pending.reject(new Error(response.error));
    else
      pending.resolve(
        Buffer.from(response.signature.buffer, response.signature.byteOffset, response.signature.byteLength),
      );
  }

  private failAll(slot: number, error: Error): void {
    for (const [id, pending] of this.#pending) {
      if (pending.slot !== slot) continue;
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}
