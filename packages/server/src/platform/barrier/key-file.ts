import { chmod, readFile, rename, stat, writeFile } from "node:fs/promises";

/**
 * A 32-byte key kept in a one-line file readable by the owner only:
 * "<header><base64 of 32 bytes>". The domain key file and the node key file share this shape.
 *
 * With a root of trust in a PKCS#11 token (--hsm-backend pkcs11) the file holds the key only
 * wrapped by the token's non-extractable key: "<header>pkcs11 <base64 of the wrapped form>", so
 * the data directory alone reveals no key (platform/pkcs11/root-of-trust.ts).
 */
export const KEY_FILE_BYTES = 32;
const WRAPPED = "pkcs11 ";

/** Not a Key Vault answer: a key file that is not one, found at start-up (the server does not start). */
export class KeyFileError extends Error {}

/** What wraps key files: the token's root-of-trust key. Absent: files hold keys in the clear. */
export interface KeyFileProtector {
  wrap(key: Buffer, purpose: string): Promise<Buffer>;
  /** undefined: not wrapped by this protector for this purpose (another token, or changed). */
  unwrap(wrapped: Buffer, purpose: string): Promise<Buffer | undefined>;
}

/**
 * The process's one protector, set by the composition root before any key file is read (the
 * domain key file is reached from several places: start, activation, the node key's escrow).
 */
let protector: KeyFileProtector | undefined;

export function useKeyFileProtector(next: KeyFileProtector | undefined): void {
  protector = next;
}

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
  const body = line.slice(header.length);
  if (body.startsWith(WRAPPED)) return unwrapKeyFile(path, header, what, body.slice(WRAPPED.length));
  const key = Buffer.from(body, "base64");
  if (key.length !== KEY_FILE_BYTES) throw new KeyFileError(`${path} holds a key of the wrong length`);
  if (protector) {
    // A software HSM moving onto a token: the file is replaced by its wrapped form at once.
    const wrapped = await protector.wrap(key, header);
    await writeFile(`${path}.wrapping`, `${header}${WRAPPED}${wrapped.toString("base64")}\n`, {
      mode: 0o600,
    });
    await rename(`${path}.wrapping`, path);
  }
  return key;
}

/** Writes a new key file; "wx": never overwrite a key file another process created a moment ago. */
export async function writeKeyFile(path: string, header: string, key: Buffer): Promise<void> {
  if (key.length !== KEY_FILE_BYTES) throw new KeyFileError(`a key file holds ${KEY_FILE_BYTES} bytes`);
  const body = protector
    ? `${WRAPPED}${(await protector.wrap(key, header)).toString("base64")}`
    : key.toString("base64");
  await writeFile(path, `${header}${body}\n`, { mode: 0o600, flag: "wx" });
}

async function unwrapKeyFile(path: string, header: string, what: string, body: string): Promise<Buffer> {
  if (!protector) {
    throw new KeyFileError(
      `${path} holds the ${what} wrapped by a PKCS#11 token's root-of-trust key: start with --hsm-backend pkcs11 and that token`,
    );
  }
  const key = await protector.unwrap(Buffer.from(body, "base64"), header);
  if (!key) {
    throw new KeyFileError(
      `${path} was not wrapped by this token's root-of-trust key (another token, or the file changed): start with the token this data directory was made with`,
    );
  }
  if (key.length !== KEY_FILE_BYTES) throw new KeyFileError(`${path} holds a key of the wrong length`);
  return key;
}
