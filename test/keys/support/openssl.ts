import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs the `openssl` command on files in a temporary directory: the independent implementation
 * the crypto here is checked against. `files` are written first; the output file is returned.
 */
export function openssl(
  args: (dir: string) => string[],
  files: Record<string, Buffer | string>,
  output?: string,
): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "mhsm-openssl-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const stdout = execFileSync("openssl", args(dir), { stdio: ["ignore", "pipe", "pipe"] });
    return output ? execFileSync("cat", [join(dir, output)]) : stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when `openssl pkeyutl -verify` accepts the signature (it exits non-zero otherwise). */
export function opensslVerifies(
  args: (dir: string) => string[],
  files: Record<string, Buffer | string>,
): boolean {
  try {
    openssl(args, files);
    return true;
  } catch {
    return false;
  }
}

/** IEEE P1363 r||s to the DER SEQUENCE { r INTEGER, s INTEGER } OpenSSL reads. */
export function p1363ToDer(signature: Buffer): Buffer {
  const half = signature.length / 2;
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let value = bytes.subarray(start);
    if ((value[0] as number) & 0x80) value = Buffer.concat([Buffer.of(0), value]);
    return Buffer.concat([Buffer.of(0x02), derLength(value.length), value]);
  };
  const body = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]);
  return Buffer.concat([Buffer.of(0x30), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.of(length) : Buffer.of(0x81, length);
}
