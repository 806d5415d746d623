import { isTokenRecord } from "../key-material.js";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { KeyStore } from "../key-repository.js";
import type { KeyVersion, SoftDeleteSettings } from "../key-model.js";
import type { KeyService } from "../key-service.js";
import { keyUrl, toKeyBundle } from "../key-wire.js";
import type { AttestationTokenVerifier } from "./attestation-token-verifier.js";
import { exportEncryptionOf, keyHsmFor, runtimeKeyOf } from "./key-export-wrap.js";
import type { ReleaseSigner } from "./release-signer.js";
import { evaluatePolicy, parseReleasePolicy } from "./release-policy.js";

export interface ReleaseRequest {
  name: string;
  /** Absent: the key's current version. */
  version?: string | undefined;
  target: string;
  nonce?: string | null | undefined;
  enc?: string | null | undefined;
  /** The URL the client used and its api-version: the answer names them. */
  baseUrl: string;
  apiVersion: string;
}

/**
 * Secure key release (POST /keys/{name}/{version}/release): the key leaves the HSM only wrapped
 * to the runtime key of an environment whose attestation token, from an authority the key's
 * release policy names, satisfies that policy. The answer is a JWS signed by the HSM.
 */
export class KeyReleaseService {
  constructor(
    private readonly keys: Pick<KeyService, "get">,
    private readonly store: KeyStore,
    private readonly softDelete: () => SoftDeleteSettings,
    private readonly verifier: AttestationTokenVerifier,
    private readonly signer: ReleaseSigner,
    private readonly clock: () => number = Date.now,
  ) {}

  async release(request: ReleaseRequest): Promise<string> {
    const enc = exportEncryptionOf(request.enc);
    const { version: key, materialSealed } = await this.keys.get(request.name, request.version);
    checkReleasable(key, this.clock());
    const policy = parseReleasePolicy(Buffer.from((key.releasePolicy as { policy: string }).policy, "utf8"));
    const attestation = await this.verifier.verify(
      request.target,
      policy.groups.map((group) => group.authority),
    );
    const verdict = evaluatePolicy(policy, attestation.issuer, attestation.claims);
    if (!verdict.satisfied) {
      throw KeyVaultErrors.releaseRefused(
        `The attestation token does not satisfy key ${key.name}'s release policy: ${verdict.reason}. No key material was released.`,
      );
    }
    const target = runtimeKeyOf(attestation.claims);
    const material = this.store.keys.openMaterial(key, materialSealed);
    let keyHsm: string;
    try {
      // A key in a PKCS#11 token (restored there from a software HSM's backup) is stored as a
      // reference and its token-wrapped form: nothing here could release it.
      if (isTokenRecord(key.shape.kty, material)) throw KeyVaultErrors.exportableKeysUnavailableOnToken();
      keyHsm = keyHsmFor(material, target, enc);
    } finally {
      material.fill(0);
    }
    const payload = {
      request: {
        "api-version": request.apiVersion,
        enc,
        kid: keyUrl(request.baseUrl, request.name, request.version),
        ...(request.nonce ? { nonce: request.nonce } : {}),
      },
      response: { key: releasedKey(request.baseUrl, key, this.softDelete(), keyHsm) },
    };
    return this.signer.sign(Buffer.from(JSON.stringify(payload), "utf8"));
  }
}

/** Only an exportable, enabled version inside its nbf/exp window is released. */
function checkReleasable(key: KeyVersion, now: number): void {
  if (!key.exportable || !key.releasePolicy) {
    throw KeyVaultErrors.badParameter(
      `Key ${key.name} (version ${key.version}) is not exportable: only a key created or imported with attributes.exportable and a release policy can be released. No key material was released.`,
    );
  }
  const { enabled, notBefore, expires } = key.attributes;
  if (!enabled)
    throw KeyVaultErrors.keyUseForbidden(
      "KeyDisabled",
      `Operation release is not allowed on a disabled key.`,
    );
  if (notBefore !== null && now < notBefore) {
    throw KeyVaultErrors.keyUseForbidden(
      "KeyNotYetValid",
      `Operation release is not allowed before the key's nbf.`,
    );
  }
  if (expires !== null && now >= expires) {
    throw KeyVaultErrors.keyUseForbidden("KeyExpired", `Operation release is not allowed on an expired key.`);
  }
}

/**
 * The released key as a real Managed HSM's release answer has it: attributes, the public JWK
 * with `key_hsm` and a kty without "-HSM", and the release policy; members in alphabetical
 * order (Azure/azure-sdk-for-js recording ..._releasekey/
 * recording_can_create_an_exportable_key_and_release_it.json, decoded).
 */
function releasedKey(baseUrl: string, key: KeyVersion, softDelete: SoftDeleteSettings, keyHsm: string) {
  const bundle = toKeyBundle(baseUrl, key, softDelete);
  const jwk: Record<string, unknown> = {
    ...key.publicKey,
    key_hsm: keyHsm,
    key_ops: key.keyOps,
    kid: bundle.key.kid,
    kty: key.shape.kty.replace(/-HSM$/, ""),
  };
  return {
    attributes: sorted(bundle.attributes),
    key: sorted(jwk),
    ...(bundle.release_policy ? { release_policy: bundle.release_policy } : {}),
  };
}

const sorted = (object: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
