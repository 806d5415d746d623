// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { X509Certificate, createPrivateKey, createPublicKey, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * The certificates of the HSM's attestation identity: a root CA (made here, or the operator's),
 * and the attestation signing certificate it issues. X.509 through @peculiar/x509 over WebCrypto,
 * as the local TLS CA does (platform/tls/local-ca.ts); nothing here signs by hand.
 */

export interface CertifiedKeyPem {
  certificatePem: string;
  privateKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The root's own algorithm: ECDSA P-384 is quick to make and every verifier knows it. */
const ROOT_ALGORITHM = { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" } as const;
/**
 * The attestation key signs RS256: what `openssl dgst -sha256 -verify` checks with no conversion,
 * and what the release JWS (x5c, RS256) will be chained to.
 */
export const ATTESTATION_KEY_ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 3072,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;

/** A new self-signed attestation root for this HSM. */
export async function createAttestationRoot(hsmName: string): Promise<CertifiedKeyPem> {
  const keys = await webcrypto.subtle.generateKey(ROOT_ALGORITHM, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=mhsm attestation root (${cnSafe(hsmName)}) ${randomBytes(4).toString("hex")}, O=mhsm`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 20 * 365 * DAY_MS),
    signingAlgorithm: ROOT_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString("pem"), privateKeyPem: await exportPkcs8(keys.privateKey) };
}

/** The attestation signing key and its certificate, issued by `root` (valid no longer than the root). */
export async function issueAttestationCertificate(
  root: CertifiedKeyPem,
  hsmName: string,
): Promise<CertifiedKeyPem> {
  const rootCertificate = new x509.X509Certificate(root.certificatePem);
  const { key: rootKey, algorithm } = await importRootKey(root.privateKeyPem);
  const keys = await webcrypto.subtle.generateKey(ATTESTATION_KEY_ALGORITHM, true, ["sign", "verify"]);
  const now = Date.now();
  const notAfter = Math.min(now + 10 * 365 * DAY_MS, rootCertificate.notAfter.getTime());
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=mhsm key attestation (${cnSafe(hsmName)}), O=mhsm`,
    issuer: rootCertificate.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: rootKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootCertificate),
    ],
  });
  return { certificatePem: certificate.toString("pem"), privateKeyPem: await exportPkcs8(keys.privateKey) };
}

/**
 * Checks an operator's root before it is used: a CA certificate, still valid, whose public key is
 * the given private key's. Throws an Error that names the problem (never the key).
 */
export function checkOperatorRoot(root: CertifiedKeyPem): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(root.certificatePem);
  } catch {
    throw new Error("the attestation root certificate is not a PEM X.509 certificate");
  }
  let publicOfKey: Buffer;
  try {
    publicOfKey = createPublicKey(createPrivateKey(root.privateKeyPem)).export({
      type: "spki",
      format: "der",
    });
  } catch {
    throw new Error("the attestation root key is not a PEM private key");
  }
  if (!certificate.ca) throw new Error("the attestation root certificate is not a CA certificate");
  if (new Date(certificate.validTo).getTime() <= Date.now()) {
    throw new Error(`the attestation root certificate expired on ${certificate.validTo}`);
  }
  if (!publicOfKey.equals(certificate.publicKey.export({ type: "spki", format: "der" }))) {
    throw new Error("the attestation root key is not the key of the attestation root certificate");
  }
}

/** The root key as WebCrypto takes it, with the signature algorithm its type implies. */
async function importRootKey(pem: string) {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: "pkcs8", format: "der" });
  if (keyObject.asymmetricKeyType === "rsa") {
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
    return { key: await webcrypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]), algorithm };
  }
  if (keyObject.asymmetricKeyType === "ec") {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const named = {
      prime256v1: ["P-256", "SHA-256"],
      secp384r1: ["P-384", "SHA-384"],
      secp521r1: ["P-521", "SHA-512"],
    }[curve ?? ""];
    if (named) {
      const algorithm = { name: "ECDSA", namedCurve: named[0] as string, hash: named[1] as string };
      return { key: await webcrypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]), algorithm };
    }
  }
  throw new Error("the attestation root key must be RSA or EC (P-256, P-384, P-521)");
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return bytes.toString("hex");
}

/** An HSM name is already a plain host label; keep anything else out of the distinguished name. */
function cnSafe(name: string): string {
  return name.replace(/[^0-9A-Za-z.-]/g, "").slice(0, 40) || "hsm";
}

async function exportPkcs8(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}
