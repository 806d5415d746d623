import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import {
  MAX_CERTIFICATES,
  MAX_QUORUM,
  MIN_CERTIFICATES,
  MIN_QUORUM,
  SecurityDomainFormatError,
} from "./security-domain-format.js";
import { type WrappingKey, parseWrappingKeyJwk } from "./wrapping-key.js";

/** The default quorum when the request names none (CertificateInfoObject.required). */
const DEFAULT_QUORUM = 2;

/**
 * Checks a CertificateInfoObject: 3 to 10 RSA certificates as JWKs, each with its x5c and a
 * matching x5t#S256, no key twice (two shares for one holder would lower the real quorum), and
 * a quorum from 2 to 10 that the certificates can meet. Every problem is a 400 that names it.
 */
export function parseDownloadRequest(body: unknown): { wrappingKeys: WrappingKey[]; required: number } {
  const request = (body ?? {}) as { certificates?: unknown; required?: unknown };
  const certificates = request.certificates;
  if (!Array.isArray(certificates)) {
    throw KeyVaultErrors.badParameter(
      `'certificates' is required: an array of ${MIN_CERTIFICATES} to ${MAX_CERTIFICATES} RSA public keys in JWK format, each with its certificate (x5c).`,
    );
  }
  if (certificates.length < MIN_CERTIFICATES || certificates.length > MAX_CERTIFICATES) {
    throw KeyVaultErrors.badParameter(
      `A security domain download needs ${MIN_CERTIFICATES} to ${MAX_CERTIFICATES} certificates; the request has ${certificates.length}.`,
    );
  }
  const required = request.required ?? DEFAULT_QUORUM;
  if (
    typeof required !== "number" ||
    !Number.isInteger(required) ||
    required < MIN_QUORUM ||
    required > MAX_QUORUM
  ) {
    throw KeyVaultErrors.badParameter(
      `'required' (the quorum) must be an integer from ${MIN_QUORUM} to ${MAX_QUORUM}; it is ${JSON.stringify(required)}.`,
    );
  }
  if (required > certificates.length) {
    throw KeyVaultErrors.badParameter(
      `The quorum (${required}) cannot be larger than the number of certificates (${certificates.length}).`,
    );
  }
  const wrappingKeys = certificates.map((jwk, index) => {
    try {
      return parseWrappingKeyJwk(jwk, `Certificate ${index + 1}`);
    } catch (error) {
      if (error instanceof SecurityDomainFormatError) throw KeyVaultErrors.badParameter(error.message);
      throw error;
    }
  });
  for (const [index, key] of wrappingKeys.entries()) {
    const first = wrappingKeys.findIndex((other) => other.keyThumbprint === key.keyThumbprint);
    if (first !== index) {
      throw KeyVaultErrors.badParameter(
        `Certificates ${first + 1} and ${index + 1} hold the same public key: each share needs its own key holder.`,
      );
    }
  }
  return { wrappingKeys, required };
}
