import { DomainError, conflict, notFound } from "../../platform/errors/domain-error.js";

/** The keys errors clients see, worded as Key Vault words them. */
export const keyNotFound = (name: string, version?: string) =>
  notFound(
    "KeyNotFound",
    `A key with (name/id) ${name}${version ? `/${version}` : ""} was not found in this HSM. If you recently deleted this key you may be able to recover it using the correct recovery command.`,
  );

export const deletedKeyNotFound = (name: string) =>
  notFound("KeyNotFound", `Deleted key not found: no soft-deleted key is named ${name}.`);

export const nameHeldByDeletedKey = (name: string) =>
  conflict(
    "Conflict",
    `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
  );

/** The key exists but its state forbids the operation (disabled, not yet valid, expired, key_ops). */
export const keyUseForbidden = (innerCode: string, message: string) =>
  new DomainError("Forbidden", "Forbidden", message, innerCode);
