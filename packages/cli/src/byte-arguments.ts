import { readArgument } from "./argument-sources.js";
import { badArgument } from "./cli-error.js";

export type DataType = "plaintext" | "base64";

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Bytes from a flag: the value, @file or - (stdin); as they are (plaintext) or base64-decoded. */
export async function bytesArgument(flag: string, value: string, dataType: DataType): Promise<Uint8Array> {
  const raw = await readArgument(flag, value, { secret: true });
  return dataType === "plaintext" ? raw : decodeBase64(flag, raw.toString("utf8"));
}

/** Standard base64 or base64url, with or without padding; whitespace (a file's newline) ignored. */
export function decodeBase64(flag: string, text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  // Buffer.from(…, "base64") skips what it cannot read; a typo must be an error instead.
  if (!BASE64.test(compact)) throw badArgument(`${flag} is not base64`);
  return Buffer.from(compact, "base64");
}

export function toBase64(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString("base64") : undefined;
}
