// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { type KeyObject, createHash, createPrivateKey, randomBytes, sign, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { Barrier } from "../../../platform/barrier/barrier.js";
import type { MetaRepository } from "../../../platform/store/meta-repository.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

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

/** The signer's key and certificate, in the store under this name (sealed by the barrier). */
export const RELEASE_SIGNER_META = "release.signer";
const DAY_MS = 24 * 60 * 60 * 1000;
const ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

/**
 * A per-HSM RSA-2048 signing key with a self-signed certificate, made once and kept in the
 * store sealed by the barrier, so every node of a multi-node HSM signs with the same key (the
 * first node to store one wins; the others use it). Loaded on first use, after activation.
 */
export class SealedReleaseSigner implements ReleaseSigner {
  #loaded: Promise<{ privateKey: KeyObject; certificate: Buffer; thumbprint: string }> | undefined;

  constructor(
    private readonly meta: MetaRepository,
    private readonly barrier: Barrier,
    private readonly hsmName: string,
  ) {}

  async sign(payload: Buffer): Promise<string> {
    const { privateKey, certificate, thumbprint } = await this.load();
    const header = {
      alg: "RS256",
      kid: thumbprint,
      x5c: [certificate.toString("base64")],
      "x5t#S256": thumbprint,
    };
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${payload.toString("base64url")}`;
    const signature = sign("sha256", Buffer.from(input, "ascii"), privateKey);
    return `${input}.${signature.toString("base64url")}`;
  }

  async x5c(): Promise<string[]> {
    return [(await this.load()).certificate.toString("base64")];
  }

  private load() {
    this.#loaded ??= this.loadOrCreate().catch((error: unknown) => {
      this.#loaded = undefined;
      throw error;
    });
    return this.#loaded;
  }

  private async loadOrCreate() {
    let sealed = await this.meta.get(RELEASE_SIGNER_META);
    if (!sealed) {
      const made = JSON.stringify(await this.create());
      sealed = await this.meta.getOrInsert(RELEASE_SIGNER_META, this.barrier.seal(made, RELEASE_SIGNER_META));
    }
    const { keyPem, certificateDer } = JSON.parse(this.barrier.openString(sealed, RELEASE_SIGNER_META)) as {
      keyPem: string;
      certificateDer: string;
    };
    const certificate = Buffer.from(certificateDer, "base64");
    return {
      privateKey: createPrivateKey(keyPem),
      certificate,
      thumbprint: createHash("sha256").update(certificate).digest("base64url"),
    };
  }

  private async create(): Promise<{ keyPem: string; certificateDer: string }> {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(16)
        .toString("hex")
        .replace(/^[89a-f]/, "1"),
      name: `CN=mhsm key release signer (${this.hsmName})`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 10 * 365 * DAY_MS),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    const keyPem = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({
      format: "pem",
      type: "pkcs8",
    }) as string;
    pkcs8.fill(0);
    return { keyPem, certificateDer: Buffer.from(certificate.rawData).toString("base64") };
  }
}
