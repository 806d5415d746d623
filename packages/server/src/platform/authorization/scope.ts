import { KeyVaultErrors } from "../errors/key-vault-errors.js";

/**
 * RBAC scopes. Canonical forms: "/" (the whole HSM), "/keys" (all keys) and "/keys/{name}"
 * (one key). An assignment at a scope covers that scope and every scope below it.
 */
export const GLOBAL_SCOPE = "/";
export const KEYS_SCOPE = "/keys";
export const KEY_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * Key Vault names are case-insensitive (/keys/MyKey and /keys/mykey are one key), so a key's
 * scope is always spelled in lower case: the scope of a request and the scope of an assignment
 * then compare as plain strings.
 */
export function keyScope(keyName: string): string {
  return `${KEYS_SCOPE}/${keyName.toLowerCase()}`;
}

/** Parses a scope as clients write it ("/", "keys", "/keys/k1/", "//keys") into canonical form. */
export function parseScope(raw: string): string {
  const parts = raw.split("/").filter((part) => part.length > 0);
  if (parts.length === 0) return GLOBAL_SCOPE;
  if (parts[0] === "keys" && parts.length === 1) return KEYS_SCOPE;
  if (parts[0] === "keys" && parts.length === 2 && KEY_NAME_PATTERN.test(parts[1] as string)) {
    return keyScope(parts[1] as string);
  }
  throw KeyVaultErrors.badParameter(
    `The scope '${raw}' is not valid. Valid scopes are '/', '/keys' and '/keys/{key name}'.`,
  );
}

/** True when an assignment at `assignmentScope` applies to a request at `targetScope`. */
export function scopeCovers(assignmentScope: string, targetScope: string): boolean {
  if (assignmentScope === GLOBAL_SCOPE || assignmentScope === targetScope) return true;
  return targetScope.startsWith(`${assignmentScope}/`);
}

/** The scope and every scope above it, nearest first: "/keys/k1" -> ["/keys/k1", "/keys", "/"]. */
export function scopeAndAncestors(scope: string): string[] {
  if (scope === GLOBAL_SCOPE) return [GLOBAL_SCOPE];
  if (scope === KEYS_SCOPE) return [KEYS_SCOPE, GLOBAL_SCOPE];
  return [scope, KEYS_SCOPE, GLOBAL_SCOPE];
}

export function isKeyScope(scope: string): boolean {
  return scope.startsWith(`${KEYS_SCOPE}/`);
}
