import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { KEY_OPERATIONS, type KeyOperation, type KeyType, OPERATIONS_OF_TYPE } from "./key-model.js";

/**
 * The mutable properties of a key version, as create, import and update requests give them
 * (times in unix milliseconds). Undefined means "not given": defaults on create, unchanged on
 * update; null clears nbf/exp.
 */
export interface KeyPropertiesInput {
  keyOps?: string[];
  enabled?: boolean;
  notBefore?: number | null;
  expires?: number | null;
  tags?: Record<string, string>;
  exportable?: boolean;
  releasePolicy?: unknown;
}

// Key Vault's limits on tags.
const MAX_TAGS = 15;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;

export function validateKeyOps(kty: KeyType, ops: string[] | undefined): KeyOperation[] {
  if (ops === undefined) return [...OPERATIONS_OF_TYPE[kty].defaults];
  const allowed = OPERATIONS_OF_TYPE[kty].allowed;
  const result: KeyOperation[] = [];
  for (const op of ops) {
    if (!KEY_OPERATIONS.includes(op as KeyOperation)) {
      throw KeyVaultErrors.badParameter(
        `key_ops: '${String(op).slice(0, 30)}' is not a key operation; use ${KEY_OPERATIONS.join(", ")}.`,
      );
    }
    if (!allowed.includes(op as KeyOperation)) {
      throw KeyVaultErrors.badParameter(
        `key_ops: '${op}' does not apply to ${kty} keys; they allow ${allowed.join(", ")}.`,
      );
    }
    if (!result.includes(op as KeyOperation)) result.push(op as KeyOperation);
  }
  return result;
}

export function validateTags(tags: Record<string, string> | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw KeyVaultErrors.badParameter(`A key has at most ${MAX_TAGS} tags.`);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_TAG_NAME) {
      throw KeyVaultErrors.badParameter(`Tag names are 1 to ${MAX_TAG_NAME} characters.`);
    }
    if (typeof value !== "string" || value.length > MAX_TAG_VALUE) {
      throw KeyVaultErrors.badParameter(
        `Tag '${name.slice(0, 40)}': values are strings of at most ${MAX_TAG_VALUE} characters.`,
      );
    }
  }
  return { ...tags };
}

export function checkValidityWindow(notBefore: number | null, expires: number | null): void {
  if (notBefore !== null && expires !== null && expires <= notBefore) {
    throw KeyVaultErrors.badParameter("The key's expiry (exp) must be after its activation date (nbf).");
  }
}
