import { type WriteStream, createWriteStream } from "node:fs";

/**
 * One JSON line per authenticated request (and per token request to the identity provider):
 * who, what, on which scope, the result, how long it took and the request/correlation ids.
 * Records are built from fields chosen here, never from headers or bodies, so tokens, secrets
 * and key material cannot end up in them.
 */
export interface AuditRecord {
  time: string;
  requestId: string;
  correlationId: string | undefined;
  caller: { objectId?: string; tenantId?: string; appId?: string; clientId?: string } | null;
  operation: string;
  method: string;
  path: string;
  target: string | undefined;
  status: number;
  result: "success" | "failure";
  errorCode: string | undefined;
  durationMs: number;
}

export class AuditLog {
  readonly #stream: WriteStream;
  #flushScheduled = false;

  constructor(file: string) {
    this.#stream = createWriteStream(file, { flags: "a", mode: 0o600 });
  }

  /**
   * Records written in one turn of the event loop go to the file in one write: a busy HSM
   * answers thousands of requests a second, and a write call per record cost the event loop
   * more than routing a request. Nothing waits longer than that turn.
   */
  write(record: AuditRecord): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#stream.cork();
      setImmediate(() => {
        this.#flushScheduled = false;
        this.#stream.uncork();
      });
    }
    this.#stream.write(`${JSON.stringify(record)}\n`);
  }

  close(): Promise<void> {
    if (this.#flushScheduled) {
      this.#flushScheduled = false;
      this.#stream.uncork();
    }
    return new Promise((resolve) => this.#stream.end(resolve));
  }
}
