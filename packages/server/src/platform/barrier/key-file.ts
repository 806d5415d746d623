import { chmod, readFile, stat, writeFile } from "node:fs/promises";

/**
 * A 32-byte key kept in a one-line file readable by the owner only:
 * "<header><base64 of 32 bytes>". The domain key file and the node key file share this shape.
 */
export const KEY_FILE_BYTES = 32;

/** Not a Key Vault answer: a key file that is not one, found at start-up (the server does not start). */
export class KeyFileError extends Error {}

/** The key in the file, or undefined when there is no file. */
export async function readKeyFile(path: string, header: string, what: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (((await stat(path)).mode & 0o077) !== 0) {
    // Repair rather than refuse: the file was readable by others; make it owner-only again.
    await chmod(path, 0o600);
  }
  const line = text.trim();
  if (!line.startsWith(header)) throw new KeyFileError(`${path} is not an mhsm ${what} file`);
  const key = Buffer.from(line.slice(header.length), "base64");
  if (key.length !== KEY_FILE_BYTES) throw new KeyFileError(`${path} holds a key of the wrong length`);
  return key;
}

/** Writes a new key file; "wx": never overwrite a key file another process created a moment ago. */
export async function writeKeyFile(path: string, header: string, key: Buffer): Promise<void> {
  if (key.length !== KEY_FILE_BYTES) throw new KeyFileError(`a key file holds ${KEY_FILE_BYTES} bytes`);
  await writeFile(path, `${header}${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
}
