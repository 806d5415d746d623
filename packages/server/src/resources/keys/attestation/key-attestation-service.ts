import type { HsmAttestationIdentity } from "./hsm-attestation-identity.js";
import {
  ATTESTATION_VERSION,
  type AttestedKey,
  claimsOf,
  signAttestation,
} from "./key-attestation-statement.js";

/** `attributes.attestation` of GetKeyAttestation, as the service names its members (base64url bytes). */
export interface WireKeyAttestation {
  certificatePemFile: string;
  privateKeyAttestation: string;
  publicKeyAttestation?: string;
  version: string;
}

/**
 * Key attestation: a key version's statements, signed by the HSM's attestation identity. The
 * identity is made on the first request that needs it (not at activation, so an HSM nobody asks
 * for attestation never makes one) and kept for the life of the process.
 */
export class KeyAttestationService {
  #identity: Promise<HsmAttestationIdentity> | undefined;

  constructor(private readonly loadIdentity: () => Promise<HsmAttestationIdentity>) {}

  /** The identity, loaded once; a failed load is retried by the next request rather than kept. */
  identity(): Promise<HsmAttestationIdentity> {
    if (!this.#identity) {
      this.#identity = this.loadIdentity();
      this.#identity.catch(() => {
        this.#identity = undefined;
      });
    }
    return this.#identity;
  }

  /**
   * The attestation of one key version. As the service does, a symmetric key gets only the
   * private-portion blob; an asymmetric key gets both (MicrosoftDocs key-attestation.md).
   */
  async attest(key: AttestedKey, now = Date.now()): Promise<WireKeyAttestation> {
    const identity = await this.identity();
    const blob = (portion: "private" | "public") =>
      Buffer.from(signAttestation(identity, claimsOf(key, portion, now)), "ascii").toString("base64url");
    return {
      certificatePemFile: Buffer.from(`${identity.certificatesPem.join("\n")}\n`, "utf8").toString(
        "base64url",
      ),
      privateKeyAttestation: blob("private"),
      ...(key.key.shape.kty === "oct-HSM" ? {} : { publicKeyAttestation: blob("public") }),
      version: ATTESTATION_VERSION,
    };
  }
}
