import { randomBytes } from "node:crypto";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { KeyCryptoService } from "../key-crypto-service.js";
import type { KeyVersion } from "../key-model.js";
import type { KeyService } from "../key-service.js";
import type { AttestationTokenVerifier } from "./attestation-token-verifier.js";
import { evaluatePolicy, parseReleasePolicy } from "./release-policy.js";

/** The algorithms of securewrapkey/secureunwrapkey (2026-04-01 keys.json, JsonWebKeyWrapAlgorithm). */
export const SECURE_WRAP_ALGORITHMS = [
  "RSA-OAEP-256",
  "A128KW",
  "A192KW",
  "A256KW",
  "A128KWPAD",
  "A192KWPAD",
  "A256KWPAD",
  "CKM_AES_KEY_WRAP",
  "CKM_AES_KEY_WRAP_PAD",
] as const;

const DATA_KEY_BYTES = 32;

export interface SecureWrapResult {
  key: KeyVersion;
  algorithm: string;
  value: Buffer;
}

/**
 * Secure wrap and unwrap (API 2026-04-01). What mhsm does, since the service's documentation
 * says little beyond the spec:
 * - securewrapkey makes a new 256-bit AES key inside the HSM and answers only its wrapping
 *   under the named key ("Creates a new 256 bit AES key within the trusted execution
 *   environment and wraps this key using a specified key"); the plain key never leaves.
 * - secureunwrapkey unwraps only for a caller whose target attestation token satisfies the
 *   wrapping key's release policy (verified as a release's is), and answers the unwrapped key
 *   itself, as the spec's example does (a 32-byte value). A key without a release policy cannot
 *   be used for a secure unwrap.
 * Both honour key_ops (wrapKey, unwrapKey), the key's enabled/nbf/exp and its type's algorithms
 * through the ordinary wrap and unwrap.
 */
export class SecureWrapService {
  constructor(
    private readonly keys: Pick<KeyService, "get">,
    private readonly crypto: Pick<KeyCryptoService, "wrapKey" | "unwrapKey">,
    private readonly verifier: AttestationTokenVerifier,
  ) {}

  async wrap(name: string, version: string | undefined, algorithm: string): Promise<SecureWrapResult> {
    checkAlgorithm(algorithm);
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const result = await this.crypto.wrapKey(name, version, { algorithm, value: dataKey });
      return { key: result.key, algorithm, value: result.value };
    } finally {
      dataKey.fill(0);
    }
  }

  async unwrap(
    name: string,
    version: string | undefined,
    algorithm: string,
    wrapped: Buffer,
    target: string,
  ): Promise<SecureWrapResult> {
    checkAlgorithm(algorithm);
    const { version: key } = await this.keys.get(name, version);
    if (!key.releasePolicy) {
      throw KeyVaultErrors.badParameter(
        `Key ${key.name} has no release policy: a secure unwrap releases the unwrapped key only to an environment that satisfies the wrapping key's release policy. Nothing was unwrapped.`,
      );
    }
    const policy = parseReleasePolicy(Buffer.from(key.releasePolicy.policy, "utf8"));
    const attestation = await this.verifier.verify(
      target,
      policy.groups.map((group) => group.authority),
    );
    const verdict = evaluatePolicy(policy, attestation.issuer, attestation.claims);
    if (!verdict.satisfied) {
      throw KeyVaultErrors.releaseRefused(
        `The attestation token does not satisfy key ${key.name}'s release policy: ${verdict.reason}. Nothing was unwrapped.`,
      );
    }
    // The version whose policy was checked is the one that unwraps.
    const result = await this.crypto.unwrapKey(name, key.version, { algorithm, value: wrapped });
    return { key: result.key, algorithm, value: result.value };
  }
}

function checkAlgorithm(algorithm: string): void {
  if (!(SECURE_WRAP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw KeyVaultErrors.badParameter(
      `Algorithm '${algorithm.slice(0, 40)}' is not supported for secure wrap and unwrap. Supported: ${SECURE_WRAP_ALGORITHMS.join(", ")}.`,
    );
  }
}
