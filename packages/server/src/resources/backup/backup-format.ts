import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { JobFailure } from "../../platform/jobs/job-model.js";
import type { BackupStorage } from "./backup-storage.js";

/**
 * The mhsm backup format, version 1 (docs/backup-format.md is the reference).
 *
 *   <folder>/data/<nnnn>.bin   chunks: gzip(JSON {table, rows}) sealed with AES-256-GCM
 *   <folder>/manifest.json     written last; lists every chunk with its SHA-256, and is
 *                              authenticated with HMAC-SHA256
 *
 * Both keys are derived (HKDF-SHA256) from the domain key and a random salt of this backup, so
 * only an HSM with the same domain key can read or forge one. A folder without a manifest is an
 * unfinished backup; a chunk whose hash differs, or a manifest whose MAC does not verify, is a
 * changed backup: both are refused before anything is restored from them.
 *
 * Both directions stream: a backup seals and writes each page of rows as it is read, a restore
 * reads, checks and hands over one chunk at a time, so memory holds a chunk or two whatever the
 * size of the HSM. Only the manifest (a few lines per chunk) is whole in memory.
 */
export const BACKUP_FORMAT = "mhsm-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = "manifest.json";
/** Rows per chunk unless configured (backup.rowsPerChunk): about 0.5 MB of key rows. */
export const DEFAULT_ROWS_PER_CHUNK = 500;

export type Row = Record<string, unknown>;

export interface ManifestChunk {
  name: string;
  table: string;
  rows: number;
  sha256: string;
  /**
   * For tables read in name order (keys, key versions): the lower-case names of the chunk's first
   * and last rows, so a selective restore reads only the chunks that can hold its key. Absent in
   * backups made before backups streamed; a restore then reads every chunk of the table.
   */
  first?: string;
  last?: string;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  hsmName: string;
  folder: string;
  createdAt: string;
  /** Names the domain key (not the key itself), so a wrong HSM is told so plainly. */
  domainKeyId: string;
  salt: string;
  chunks: ManifestChunk[];
  counts: Record<string, number>;
  mac: string;
}

/** One table of a backup: its rows a page (= a chunk) at a time. */
export interface TablePages {
  table: string;
  pages: AsyncIterable<Row[]>;
  /** The name a selective restore looks rows up by, for tables read in that order. */
  rangeKey?: (row: Row) => string;
}

/** The keys a backup is sealed with, derived from the domain key; held only in memory. */
export class BackupKeyring {
  readonly domainKeyId: string;
  readonly #domainKey: Buffer;

  constructor(domainKey: Buffer) {
    this.#domainKey = Buffer.from(domainKey);
    this.domainKeyId = hkdf(this.#domainKey, Buffer.alloc(0), "mhsm domain key id v1", 16).toString("hex");
  }

  keysFor(salt: Buffer): { encryption: Buffer; mac: Buffer } {
    return {
      encryption: hkdf(this.#domainKey, salt, "mhsm backup v1 encryption", 32),
      mac: hkdf(this.#domainKey, salt, "mhsm backup v1 manifest mac", 32),
    };
  }
}

/**
 * Seals and writes each page of every table as a chunk as soon as it is read, then the manifest.
 * One upload is in flight while the next page is read and sealed: reading the database and
 * writing to storage overlap, and memory holds at most two chunks.
 */
export async function writeBackup(
  storage: BackupStorage,
  keyring: BackupKeyring,
  identity: { hsmName: string; folder: string },
  tables: TablePages[],
  onChunkWritten?: (written: number) => Promise<void>,
): Promise<Manifest> {
  const salt = randomBytes(32);
  const keys = keyring.keysFor(salt);
  const chunks: ManifestChunk[] = [];
  const counts: Record<string, number> = {};
  let uploading: Promise<void> = Promise.resolve();
  try {
    for (const { table, pages, rangeKey } of tables) {
      counts[table] = 0;
      for await (const rows of pages) {
        const index = chunks.length;
        const name = `data/${String(index).padStart(4, "0")}.bin`;
        const sealed = sealChunk(
          keys.encryption,
          identity.folder,
          name,
          gzipSync(JSON.stringify({ table, rows })),
        );
        const chunk: ManifestChunk = { name, table, rows: rows.length, sha256: sha256(sealed) };
        if (rangeKey && rows.length > 0) {
          chunk.first = rangeKey(rows[0] as Row);
          chunk.last = rangeKey(rows[rows.length - 1] as Row);
        }
        chunks.push(chunk);
        counts[table] += rows.length;
        await uploading;
        uploading = storage.write(name, sealed).then(() => onChunkWritten?.(index + 1));
        // Awaited above on the next page or below; until then a failure must not count as unhandled.
        uploading.catch(() => undefined);
      }
    }
    await uploading;
  } catch (error) {
    // Let a write still in flight end before the caller discards the folder.
    await uploading.catch(() => undefined);
    throw error;
  }
  const unsigned: Omit<Manifest, "mac"> = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    hsmName: identity.hsmName,
    folder: identity.folder,
    createdAt: new Date().toISOString(),
    domainKeyId: keyring.domainKeyId,
    salt: salt.toString("base64"),
    chunks,
    counts,
  };
  const manifest: Manifest = { ...unsigned, mac: mac(keys.mac, unsigned) };
  await storage.write(MANIFEST_NAME, Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}

/**
 * A backup whose manifest was read and authenticated: its domain, its MAC. Chunks are read and
 * verified (hash, authenticated decryption, table and row count) one at a time as they are asked
 * for; each throws a JobFailure saying what is wrong.
 */
export class VerifiedBackup {
  private constructor(
    private readonly storage: BackupStorage,
    readonly manifest: Manifest,
    private readonly encryptionKey: Buffer,
  ) {}

  static async open(storage: BackupStorage, keyring: BackupKeyring, folder: string): Promise<VerifiedBackup> {
    const raw = await storage.read(MANIFEST_NAME);
    if (!raw) {
      throw new JobFailure(
        "InvalidBackup",
        `The folder '${folder}' has no backup manifest: it is not an mhsm backup, or the backup did not finish.`,
      );
    }
    const manifest = parseManifest(raw);
    if (manifest.domainKeyId !== keyring.domainKeyId) {
      throw new JobFailure(
        "SecurityDomainMismatch",
        "The backup was made by an HSM with a different security domain; this HSM cannot restore it.",
      );
    }
    const { mac: given, ...unsigned } = manifest;
    const keys = keyring.keysFor(Buffer.from(manifest.salt, "base64"));
    if (!macMatches(keys.mac, unsigned, given)) {
      throw new JobFailure(
        "InvalidBackup",
        "The backup manifest failed authentication: the backup was changed.",
      );
    }
    return new VerifiedBackup(storage, manifest, keys.encryption);
  }

  /**
   * The rows of the chunks `wanted` picks, in manifest order, one chunk at a time. The next chunk
   * is fetched while the caller works on this one (at most two in memory).
   */
  async *chunks(
    wanted: (chunk: ManifestChunk) => boolean,
  ): AsyncGenerator<{ chunk: ManifestChunk; rows: Row[] }> {
    const picked = this.manifest.chunks.filter(wanted);
    let next = picked[0] ? this.read(picked[0]) : undefined;
    for (let i = 0; next; i++) {
      const current = next;
      next = picked[i + 1] ? this.read(picked[i + 1] as ManifestChunk) : undefined;
      // Fetched ahead: if the caller stops early, its failure must not count as unhandled.
      next?.catch(() => undefined);
      yield { chunk: picked[i] as ManifestChunk, rows: await current };
    }
  }

  private async read(chunk: ManifestChunk): Promise<Row[]> {
    const sealed = await this.storage.read(chunk.name);
    if (!sealed) throw new JobFailure("InvalidBackup", `The backup is incomplete: ${chunk.name} is missing.`);
    if (sha256(sealed) !== chunk.sha256) {
      throw new JobFailure(
        "InvalidBackup",
        `The backup was changed: ${chunk.name} does not match its manifest.`,
      );
    }
    const payload = JSON.parse(
      gunzipSync(openChunk(this.encryptionKey, this.manifest.folder, chunk.name, sealed)).toString("utf8"),
    ) as { table: string; rows: Row[] };
    if (payload.table !== chunk.table || payload.rows.length !== chunk.rows) {
      throw new JobFailure(
        "InvalidBackup",
        `The backup was changed: ${chunk.name} does not match its manifest.`,
      );
    }
    return payload.rows;
  }
}

function parseManifest(raw: Buffer): Manifest {
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(raw.toString("utf8")) as Partial<Manifest>;
  } catch {
    throw new JobFailure("InvalidBackup", "The backup manifest is not valid JSON.");
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new JobFailure("InvalidBackup", "The folder does not hold an mhsm backup.");
  if (manifest.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new JobFailure(
      "UnsupportedBackupVersion",
      `The backup has format version ${String(manifest.formatVersion)}; this server reads version ${BACKUP_FORMAT_VERSION}.`,
    );
  }
  if (
    typeof manifest.domainKeyId !== "string" ||
    typeof manifest.salt !== "string" ||
    typeof manifest.mac !== "string" ||
    typeof manifest.folder !== "string" ||
    !Array.isArray(manifest.chunks)
  ) {
    throw new JobFailure("InvalidBackup", "The backup manifest is incomplete.");
  }
  return manifest as Manifest;
}

function sealChunk(key: Buffer, folder: string, name: string, plaintext: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(`${BACKUP_FORMAT}/${BACKUP_FORMAT_VERSION}/${folder}/${name}`));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function openChunk(key: Buffer, folder: string, name: string, sealed: Buffer): Buffer {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${BACKUP_FORMAT}/${BACKUP_FORMAT_VERSION}/${folder}/${name}`));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    throw new JobFailure("InvalidBackup", `The backup was changed: ${name} failed authentication.`);
  }
}

function mac(key: Buffer, value: unknown): string {
  return createHmac("sha256", key).update(canonicalJson(value)).digest("base64");
}

function macMatches(key: Buffer, value: unknown, given: string): boolean {
  const expected = Buffer.from(mac(key, value), "base64");
  const actual = Buffer.from(given, "base64");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** JSON with object keys sorted, so the MAC does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function hkdf(key: Buffer, salt: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", key, salt, Buffer.from(info, "utf8"), length));
}
