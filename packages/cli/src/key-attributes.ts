import type { KeyOperation } from "@azure/keyvault-keys";
import { badArgument } from "./cli-error.js";

/** Flags that set a key's attributes, on create and on update. */
export interface KeyAttributeFlags {
  ops?: string[];
  tags?: string[];
  notBefore?: string;
  expires?: string;
}

export interface KeyAttributes {
  keyOps?: KeyOperation[];
  tags?: Record<string, string>;
  notBefore?: Date;
  expiresOn?: Date;
}

export function keyAttributes(flags: KeyAttributeFlags): KeyAttributes {
  const attributes: KeyAttributes = {};
  if (flags.ops) attributes.keyOps = flags.ops as KeyOperation[];
  if (flags.tags) attributes.tags = parseTags(flags.tags);
  if (flags.notBefore) attributes.notBefore = parseDate("--not-before", flags.notBefore);
  if (flags.expires) attributes.expiresOn = parseDate("--expires", flags.expires);
  return attributes;
}

/** `--tags env=prod team=payments`; `--tags ""` clears them on update. */
function parseTags(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs.filter((p) => p !== "")) {
    const split = pair.indexOf("=");
    if (split <= 0) throw badArgument(`--tags takes key=value pairs (got '${pair}')`);
    tags[pair.slice(0, split)] = pair.slice(split + 1);
  }
  return tags;
}

/** An ISO 8601 date or time, e.g. 2026-12-31 or 2026-12-31T23:59:59Z. */
function parseDate(flag: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw badArgument(`${flag} must be an ISO 8601 date such as 2026-12-31T23:59:59Z (got '${value}')`);
  }
  return date;
}
