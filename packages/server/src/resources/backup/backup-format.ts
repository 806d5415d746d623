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
 * changed backup: both are refused before anything is restored.
 */
export const BACKUP_FORMAT = "mhsm-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = "manifest.json";
const ROWS_PER_CHUNK = 500;

export type TableRows = Record<string, Array<Record<string, unknown>>>;

export interface ManifestChunk {
  name: string;
  table: string;
  rows: number;
  sha256: string;
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

/** Writes every table's rows as sealed chunks, then the manifest. */
export async function writeBackup(
  storage: BackupStorage,
  keyring: BackupKeyring,
  identity: { hsmName: string; folder: string },
  tables: TableRows,
  onProgress?: (written: number, total: number) => Promise<void>,
): Promise<Manifest> {
  const salt = randomBytes(32);
  const keys = keyring.keysFor(salt);
  const plan: Array<{ table: string; rows: Array<Record<string, unknown>> }> = [];
  for (const [table, rows] of Object.entries(tables)) {
    for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
      plan.push({ table, rows: rows.slice(start, start + ROWS_PER_CHUNK) });
    }
  }
  const chunks: ManifestChunk[] = [];
  for (const [index, { table, rows }] of plan.entries()) {
    const name = `data/${String(index).padStart(4, "0")}.bin`;
    const sealed = sealChunk(
      keys.encryption,
      identity.folder,
      name,
      gzipSync(JSON.stringify({ table, rows })),
    );
    await storage.write(name, sealed);
    chunks.push({ name, table, rows: rows.length, sha256: sha256(sealed) });
    await onProgress?.(index + 1, plan.length);
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
    counts: Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.length])),
  };
  const manifest: Manifest = { ...unsigned, mac: mac(keys.mac, unsigned) };
  await storage.write(MANIFEST_NAME, Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}

/**
 * Reads and verifies a backup: manifest, domain, MAC, then every chunk (or those of `tables`)
 * by hash and authenticated decryption. Throws a JobFailure saying what is wrong.
 */
export async function readBackup(
  storage: BackupStorage,
  keyring: BackupKeyring,
  folder: string,
  tables?: string[],
): Promise<{ manifest: Manifest; rows: TableRows }> {
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
  const rows: TableRows = {};
  for (const chunk of manifest.chunks) {
    if (tables && !tables.includes(chunk.table)) continue;
    const sealed = await storage.read(chunk.name);
    if (!sealed) throw new JobFailure("InvalidBackup", `The backup is incomplete: ${chunk.name} is missing.`);
    if (sha256(sealed) !== chunk.sha256) {
      throw new JobFailure(
        "InvalidBackup",
        `The backup was changed: ${chunk.name} does not match its manifest.`,
      );
    }
    const payload = JSON.parse(
      gunzipSync(openChunk(keys.encryption, manifest.folder, chunk.name, sealed)).toString("utf8"),
    ) as {
      table: string;
      rows: Array<Record<string, unknown>>;
    };
    if (payload.table !== chunk.table || payload.rows.length !== chunk.rows) {
      throw new JobFailure(
        "InvalidBackup",
        `The backup was changed: ${chunk.name} does not match its manifest.`,
      );
    }
    (rows[payload.table] ??= []).push(...payload.rows);
  }
  return { manifest, rows };
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
