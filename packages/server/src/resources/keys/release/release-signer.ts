import { X509Certificate, createHash } from "node:crypto";
import type { HsmAttestationIdentity } from "../attestation/hsm-attestation-identity.js";

/**
 * What signs a release answer: a compact JWS (RS256) whose header carries the signer's
 * certificate chain (`x5c`) and its SHA-256 thumbprint (`kid`, `x5t#S256`), the header a real
 * Managed HSM's release answer has (Azure/azure-sdk-for-js recording ..._releasekey/
 * recording_can_create_an_exportable_key_and_release_it.json); clients check the signature
 * with x5c[0] (microsoft/confidential-sidecar-containers pkg/skr/akv.go).
 */
export interface ReleaseSigner {
  sign(payload: Buffer): Promise<string>;
  /** The certificate chain, leaf first, as standard base64 DER. */
  x5c(): Promise<string[]>;
}

/**
 * The HSM signs release answers with its attestation identity (docs/key-attestation.md): the
 * same key and chain that sign its key attestations, made once per HSM and sealed in the store,
 * so every node signs with it and a client can check a release against the HSM's one
 * attestation root (the last certificate of x5c).
 */
export class AttestationIdentityReleaseSigner implements ReleaseSigner {
  constructor(private readonly identity: () => Promise<HsmAttestationIdentity>) {}

  async sign(payload: Buffer): Promise<string> {
    const identity = await this.identity();
    const x5c = chainOf(identity);
    const thumbprint = createHash("sha256")
      .update(Buffer.from(x5c[0] as string, "base64"))
      .digest("base64url");
    const header = { alg: identity.algorithm, kid: thumbprint, x5c, "x5t#S256": thumbprint };
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${payload.toString("base64url")}`;
    return `${input}.${identity.sign(Buffer.from(input, "ascii")).toString("base64url")}`;
  }

  async x5c(): Promise<string[]> {
    return chainOf(await this.identity());
  }
}

/** The identity's chain, leaf first, as x5c wants it: standard base64 of each DER. */
function chainOf(identity: HsmAttestationIdentity): string[] {
  return identity.certificatesPem.map((pem) => new X509Certificate(pem).raw.toString("base64"));
}
