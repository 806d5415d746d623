// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { type KeyObject, createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { type WrappingKeyJwk, wrappingKeyJwkFromCertificate } from "./wrapping-key.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;
const HOUR_MS = 60 * 60 * 1000;

/**
 * The key an upload is encrypted to (GET /securitydomain/upload): an RSA key pair made in
 * memory when first asked for and never written anywhere, with a self-signed certificate so it
 * travels as the same JWK shape as the wrapping keys. A restart makes a new one, so an upload
 * prepared for an earlier process is refused plainly instead of opened with a stale key.
 */
export class TransferKey {
  private constructor(
    readonly jwk: WrappingKeyJwk,
    readonly privateKey: KeyObject,
  ) {}

  get x5tS256(): string {
    return this.jwk["x5t#S256"];
  }

  static async create(hsmName: string): Promise<TransferKey> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(16)
        .toString("hex")
        .replace(/^[89a-f]/, "1"),
      name: `CN=mhsm security domain transfer key (${hsmName})`,
      notBefore: new Date(now - HOUR_MS),
      notAfter: new Date(now + 30 * 24 * HOUR_MS),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment,
          true,
        ),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    pkcs8.fill(0);
    const der = Buffer.from(certificate.rawData);
    const jwk = wrappingKeyJwkFromCertificate(der, "");
    return new TransferKey({ ...jwk, kid: jwk["x5t#S256"], key_ops: ["wrapKey"] }, privateKey);
  }
}
