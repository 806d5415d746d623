import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { CipherAlgorithm, CryptoOperation, SignatureAlgorithm } from "./key-algorithms.js";
import type { KeyVersion } from "./key-model.js";

/**
 * The rules an operation on a key must pass before any cryptography runs: a known algorithm
 * that fits the key (type, curve, AES size), a digest of the algorithm's length, and a key whose
 * key_ops, enabled flag and nbf/exp window allow it now.
 */
export function findAlgorithm<T>(table: Record<string, T>, name: string, operation: string): T {
  const algorithm = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!algorithm) {
    throw KeyVaultErrors.badParameter(
      `Algorithm '${String(name).slice(0, 40)}' is not supported for ${operation}. Supported: ${Object.keys(table).join(", ")}.`,
    );
  }
  return algorithm;
}

export function checkAlgorithmFits(
  key: KeyVersion,
  algorithm: CipherAlgorithm | SignatureAlgorithm,
  operation: string,
): void {
  const shape = key.shape;
  const describe =
    shape.kty === "EC-HSM" ? `an EC-HSM key on ${shape.curve}` : `a ${shape.keySize}-bit ${shape.kty} key`;
  if (algorithm.kty !== shape.kty) {
    throw KeyVaultErrors.badParameter(
      `The algorithm is for ${algorithm.kty} keys; key ${key.name} is ${describe} (${operation}).`,
    );
  }
  if ("curve" in algorithm && shape.kty === "EC-HSM" && algorithm.curve !== shape.curve) {
    throw KeyVaultErrors.badParameter(
      `The algorithm needs a key on ${algorithm.curve}; key ${key.name} is ${describe}.`,
    );
  }
  if (
    "keyBits" in algorithm &&
    algorithm.keyBits !== undefined &&
    shape.kty === "oct-HSM" &&
    algorithm.keyBits !== shape.keySize
  ) {
    throw KeyVaultErrors.badParameter(
      `The algorithm needs a ${algorithm.keyBits}-bit AES key; key ${key.name} is ${describe}.`,
    );
  }
}

export function checkDigest(algorithm: SignatureAlgorithm, name: string, digest: Buffer): void {
  if (digest.length !== algorithm.digestBytes) {
    throw KeyVaultErrors.badParameter(
      `${name} signs a ${algorithm.hash.toUpperCase()} digest of ${algorithm.digestBytes} bytes; the value given is ${digest.length} bytes.`,
    );
  }
}

/** 403s for a key whose own settings forbid the operation now (Key Vault's words). */
export function checkKeyUsable(key: KeyVersion, operation: CryptoOperation, now: number): void {
  const name = key.name;
  if (!key.keyOps.includes(operation)) {
    throw KeyVaultErrors.keyUseForbidden(
      "KeyOperationNotAllowed",
      `Operation ${operation} is not allowed by key ${name}'s key_ops (${key.keyOps.join(", ") || "none"}).`,
    );
  }
  if (!key.attributes.enabled) {
    throw KeyVaultErrors.keyUseForbidden(
      "KeyDisabled",
      `Operation ${operation} is not allowed on a disabled key.`,
    );
  }
  if (key.attributes.notBefore !== null && now < key.attributes.notBefore) {
    throw KeyVaultErrors.keyUseForbidden(
      "KeyNotYetValid",
      `Operation ${operation} is not allowed before the key's activation date (nbf ${new Date(key.attributes.notBefore).toISOString()}).`,
    );
  }
  if (key.attributes.expires !== null && now >= key.attributes.expires) {
    throw KeyVaultErrors.keyUseForbidden(
      "KeyExpired",
      `Operation ${operation} is not allowed on an expired key (exp ${new Date(key.attributes.expires).toISOString()}).`,
    );
  }
}
