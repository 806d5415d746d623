import { randomBytes } from "node:crypto";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";

/**
 * The embedded default keeps the domain key in a file in the data directory, readable by the
 * owner only. Anyone who can read that file can read every key the server holds: this is the
 * development default, documented as such in the README. (A sealed mode, where the key is
 * rebuilt from security-domain shares at start, comes with the security domain.)
 *
 * File format: one line "mhsm-domain-key v1 <base64 of 32 bytes>".
 */
const HEADER = "mhsm-domain-key v1 ";
export const DOMAIN_KEY_BYTES = 32;

export class DomainKeyFileError extends Error {}

export async function loadOrCreateDomainKey(path: string): Promise<{ key: Buffer; created: boolean }> {
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text === undefined) {
    const key = randomBytes(DOMAIN_KEY_BYTES);
    // "wx": never overwrite a key file another process created a moment ago.
    await writeFile(path, `${HEADER}${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    return { key, created: true };
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    // Repair rather than refuse: the file was readable by others; make it owner-only again.
    await chmod(path, 0o600);
  }
  const line = text.trim();
  if (!line.startsWith(HEADER)) throw new DomainKeyFileError(`${path} is not an mhsm domain key file`);
  const key = Buffer.from(line.slice(HEADER.length), "base64");
  if (key.length !== DOMAIN_KEY_BYTES)
    throw new DomainKeyFileError(`${path} holds a key of the wrong length`);
  return { key, created: false };
}
