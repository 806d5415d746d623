import { createHash } from "node:crypto";

/**
 * A GUID that is always the same for the same text (RFC 9562's name-based layout, version 5
 * bits over a SHA-256 digest): entries the seed does not name get the same name at every
 * start, which is what makes applying a seed twice change nothing.
 */
export function guidFrom(text: string): string {
  const bytes = createHash("sha256").update(`mhsm-seed:${text}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
