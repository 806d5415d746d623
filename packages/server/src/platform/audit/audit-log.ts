import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";

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
  /**
   * Only for the Azure Monitor format (azure-audit-event.ts); the default format leaves them out,
   * so its lines stay as they were.
   */
  callerIpAddress?: string;
  /** The api-version asked for, when the server supports it. */
  apiVersion?: string;
  /** The User-Agent, cut to 256 characters. */
  clientInfo?: string;
}

/** Turns a record into the object written as one JSON line. */
export type AuditFormat = (record: AuditRecord) => object;

/** mhsm's own line: the record's fields, without those only the Azure format uses. */
export const mhsmAuditFormat: AuditFormat = ({
  callerIpAddress: _callerIpAddress,
  apiVersion: _apiVersion,
  clientInfo: _clientInfo,
  ...line
}) => line;

/**
 * A record could not be stored: the request it belongs to must not succeed. The audit hook
 * (http/audit-hook.ts) turns it into the catalog's AuditLogUnavailable (503) answer.
 */
export class AuditLogUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`The audit log cannot be written: ${reason}`);
    this.name = "AuditLogUnavailableError";
  }
}

export interface AuditLogEvents {
  /** The log stopped taking records (once per outage, not per record). */
  unavailable(reason: string): void;
  /** It takes records again. */
  recovered(): void;
  /** A write failed (every failure, not once per outage): counted on /metrics. */
  writeFailed?(): void;
}

const DEFAULT_EVENTS: AuditLogEvents = {
  unavailable: (reason) =>
    console.error(
      `mhsm: the audit log cannot be written (${reason}); requests are refused (503) until it can`,
    ),
  recovered: () => console.error("mhsm: the audit log is writable again; serving requests"),
};

interface Batch {
  text: string;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The audit device. Audit fails closed, as HashiCorp Vault's does: `write` resolves once the
 * record is in the file, and a request is answered only after that (http/audit-hook.ts). While
 * the file cannot be written (a full disk, a broken handle) `available` is false and requests
 * are refused before their handler runs; each refused request's own record is the probe that
 * brings the log back when space returns.
 *
 * Records of one turn of the event loop go to the file in one write (group commit): a busy HSM
 * answers thousands of requests a second, and a write per record would cost more than routing
 * one. The write is synchronous, as Vault's file audit device's is: an append to the page cache
 * costs microseconds, while an asynchronous write's round trip through the thread pool added
 * more than a tenth to every request's latency now that answers wait for their record. Writes
 * happen one at a time, in order.
 */
export class AuditLog {
  readonly #file: string;
  readonly #events: AuditLogEvents;
  readonly #format: AuditFormat;
  #fd: number | undefined;
  /** Records waiting for the next write. */
  #batch: Batch | undefined;
  #writing: Promise<void> | undefined;
  #available = true;
  #reason = "";
  /** False after a write stopped partway through a line that could not be cut off: the next write starts with a newline. */
  #tailClean = true;
  #closed = false;

  constructor(file: string, events: Partial<AuditLogEvents> = {}, format: AuditFormat = mhsmAuditFormat) {
    this.#file = file;
    this.#events = { ...DEFAULT_EVENTS, ...events };
    this.#format = format;
  }

  /** False while the last write failed: requests are refused until a write succeeds again. */
  get available(): boolean {
    return this.#available;
  }

  /** Why the log is unavailable, e.g. "ENOSPC: no space left on device" (no paths or secrets). */
  get unavailableReason(): string {
    return this.#reason;
  }

  /** Resolves when the record is in the file; rejects with AuditLogUnavailableError otherwise. */
  write(record: AuditRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new AuditLogUnavailableError("the audit log is closed"));
    let batch = this.#batch;
    if (!batch) {
      batch = this.#batch = newBatch();
      if (!this.#writing) setImmediate(this.#flush);
    }
    batch.text += `${JSON.stringify(this.#format(record))}\n`;
    return batch.done;
  }

  /** Writes what is queued, then closes the file. Later writes are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing || this.#batch) await (this.#writing ?? this.#flush());
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeQuietly(fd);
  }

  readonly #flush = (): Promise<void> => {
    if (this.#writing || !this.#batch) return this.#writing ?? Promise.resolve();
    const batch = this.#batch;
    this.#batch = undefined;
    this.#writing = this.#store(batch).finally(() => {
      this.#writing = undefined;
      // Records that came while this write was in flight: the next group.
      if (this.#batch) void this.#flush();
    });
    return this.#writing;
  };

  async #store(batch: Batch): Promise<void> {
    try {
      this.#append(batch.text);
    } catch (error) {
      const reason = describe(error);
      this.#reason = reason;
      this.#events.writeFailed?.();
      if (this.#available) {
        this.#available = false;
        this.#events.unavailable(reason);
      }
      batch.reject(new AuditLogUnavailableError(reason));
      return;
    }
    if (!this.#available) {
      this.#available = true;
      this.#reason = "";
      this.#events.recovered();
    }
    batch.resolve();
  }

  #append(text: string): void {
    const data = Buffer.from(this.#tailClean ? text : `\n${text}`);
    const fd = (this.#fd ??= openSync(this.#file, "a", 0o600));
    let offset = 0;
    try {
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      this.#tailClean = true;
    } catch (error) {
      // A partly written line must not stay, nor swallow the next record: cut it off, or else
      // start the next write on a new line.
      if (offset > 0) {
        try {
          ftruncateSync(fd, fstatSync(fd).size - offset);
        } catch {
          this.#tailClean = data[offset - 1] === 0x0a;
        }
      }
      // Reopen on the next write: the descriptor may be broken, or the file removed.
      this.#fd = undefined;
      closeQuietly(fd);
      throw error;
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already broken: nothing more to release.
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever wrote a record awaits it; a batch nobody awaits must not be an unhandled rejection.
  done.catch(() => undefined);
  return { text: "", done, resolve, reject };
}

/** "ENOSPC: no space left on device", without the file's path. */
function describe(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = String(message ?? error)
    .replace(/,\s*(open|write)\b.*$/s, "")
    .replace(/^[A-Z]+:\s*/, "");
  return code ? `${code}: ${text}` : text;
}
