import { X509Certificate, createHash, createPrivateKey, sign } from "node:crypto";
import type { Barrier } from "../../../platform/barrier/barrier.js";
import type { MetaRepository } from "../../../platform/store/meta-repository.js";
import {
  type CertifiedKeyPem,
  checkOperatorRoot,
  createAttestationRoot,
  issueAttestationCertificate,
} from "./attestation-certificates.js";

/**
 * The HSM's attestation identity: the key that signs what the HSM states about its keys, with a
 * certificate chain up to an attestation root. Key attestation signs its blobs with it; the
 * release JWS is meant to be chained to it too. Every node of an HSM answers with the same chain.
 */
export interface HsmAttestationIdentity {
  /** The JWS algorithm of `sign`. */
  readonly algorithm: "RS256";
  /** The attestation signing certificate, then the root, in PEM. */
  readonly certificatesPem: readonly string[];
  /** The root alone, in PEM: what a verifier trusts. */
  readonly rootCertificatePem: string;
  /** RSASSA-PKCS1-v1_5 with SHA-256 over `data`, by the attestation signing key. */
  sign(data: Buffer): Buffer;
}

/** What is kept (sealed) in the store: the root's public certificate, the signing key and its certificate. */
interface StoredIdentity {
  format: 1;
  rootCertificatePem: string;
  attestationCertificatePem: string;
  attestationPrivateKeyPem: string;
}

/** Store key of the identity under a root the HSM made itself. */
export const GENERATED_IDENTITY_META = "keys.attestation.identity";

/**
 * Store key of the identity under an operator's root: one per root, so changing the configured
 * root gives a new signing certificate under it while the old record stays untouched.
 */
export function operatorIdentityMeta(rootCertificatePem: string): string {
  const der = new X509Certificate(rootCertificatePem).raw;
  return `keys.attestation.identity.root-${createHash("sha256").update(der).digest("hex").slice(0, 32)}`;
}

export interface AttestationIdentityOptions {
  hsmName: string;
  /** The operator's root (certificate and key, PEM): absent, the HSM makes its own. */
  operatorRoot?: CertifiedKeyPem | undefined;
}

/**
 * Loads the identity, making it on first need. Insert-if-absent (MetaRepository.getOrInsert): two
 * nodes racing both make one, exactly one is stored, and both use that one. Sealed under the
 * domain barrier, so it opens only on an HSM holding this security domain, and it is never in
 * the store in plain text. A root the HSM makes is used once, to issue the signing certificate,
 * and then forgotten: its private key is never stored anywhere.
 */
export async function loadOrCreateAttestationIdentity(
  meta: MetaRepository,
  barrier: Barrier,
  options: AttestationIdentityOptions,
): Promise<HsmAttestationIdentity> {
  const { operatorRoot } = options;
  if (operatorRoot) checkOperatorRoot(operatorRoot);
  const metaKey = operatorRoot ? operatorIdentityMeta(operatorRoot.certificatePem) : GENERATED_IDENTITY_META;
  let sealed = await meta.get(metaKey);
  if (!sealed) {
    const root = operatorRoot ?? (await createAttestationRoot(options.hsmName));
    const signing = await issueAttestationCertificate(root, options.hsmName);
    const record: StoredIdentity = {
      format: 1,
      rootCertificatePem: root.certificatePem,
      attestationCertificatePem: signing.certificatePem,
      attestationPrivateKeyPem: signing.privateKeyPem,
    };
    sealed = await meta.getOrInsert(metaKey, barrier.seal(JSON.stringify(record), metaKey));
  }
  return identityOf(JSON.parse(barrier.openString(sealed, metaKey)) as StoredIdentity);
}

function identityOf(record: StoredIdentity): HsmAttestationIdentity {
  const privateKey = createPrivateKey(record.attestationPrivateKeyPem);
  return {
    algorithm: "RS256",
    certificatesPem: [record.attestationCertificatePem.trim(), record.rootCertificatePem.trim()],
    rootCertificatePem: record.rootCertificatePem.trim(),
    sign: (data) => sign("sha256", data, privateKey),
  };
}
