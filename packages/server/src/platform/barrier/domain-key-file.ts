import { randomBytes } from "node:crypto";
import { KEY_FILE_BYTES, readKeyFile, writeKeyFile } from "./key-file.js";

/**
 * The embedded default keeps the domain key in a file in the data directory, readable by the
 * owner only. Anyone who can read that file can read every key the server holds: this is the
 * development default, documented as such in the README. With the security domain's sealed
 * storage the file is never written: the key lives only in memory, rebuilt from an upload of
 * the security domain after every start.
 *
 * File format: one line "mhsm-domain-key v1 <base64 of 32 bytes>".
 */
const HEADER = "mhsm-domain-key v1 ";
export const DOMAIN_KEY_BYTES = KEY_FILE_BYTES;

export async function loadOrCreateDomainKey(path: string): Promise<{ key: Buffer; created: boolean }> {
  const existing = await readDomainKeyFile(path);
  if (existing) return { key: existing, created: false };
  const key = randomBytes(DOMAIN_KEY_BYTES);
  await writeDomainKeyFile(path, key);
  return { key, created: true };
}

/** The domain key from its file, or undefined when there is none (yet). */
export function readDomainKeyFile(path: string): Promise<Buffer | undefined> {
  return readKeyFile(path, HEADER, "domain key");
}

/** Writes the domain key file (refuses to replace one). */
export function writeDomainKeyFile(path: string, key: Buffer): Promise<void> {
  return writeKeyFile(path, HEADER, key);
}
