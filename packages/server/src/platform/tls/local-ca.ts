// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { X509Certificate as NodeX509, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssuedPair {
  certificatePem: string;
  privateKeyPem: string;
}

/** The names every server certificate carries, plus the configured ones. */
export function serverNames(extra: string[]): string[] {
  return [...new Set(["localhost", "127.0.0.1", "::1", ...extra])];
}

export async function createCertificateAuthority(hsmName: string): Promise<IssuedPair> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=mhsm local CA (${hsmName}) ${randomBytes(4).toString("hex")}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString("pem"),
    privateKeyPem: await exportPrivateKey(keys.privateKey),
  };
}

export async function issueServerCertificate(ca: IssuedPair, names: string[]): Promise<IssuedPair> {
  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const caKey = await webcrypto.subtle.importKey("pkcs8", pemBody(ca.privateKeyPem), ALGORITHM, false, [
    "sign",
  ]);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? "localhost"}`,
    issuer: caCertificate.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 397 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => (isIP(name) ? { type: "ip", value: name } : { type: "dns", value: name })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return {
    certificatePem: certificate.toString("pem"),
    privateKeyPem: await exportPrivateKey(keys.privateKey),
  };
}

/** True when the certificate still has a month to live and carries every wanted name. */
export function certificateStillFits(certificatePem: string, names: string[]): boolean {
  const certificate = new NodeX509(certificatePem);
  if (new Date(certificate.validTo).getTime() - Date.now() < 30 * DAY_MS) return false;
  const present = new Set(
    (certificate.subjectAltName ?? "")
      .split(", ")
      .map((entry) => entry.replace(/^(DNS|IP Address):/, "").toLowerCase()),
  );
  return names.every((name) => present.has(name.toLowerCase()) || present.has(expandIPv6(name)));
}

function expandIPv6(name: string): string {
  // Node prints IPv6 SANs in full form (0:0:0:0:0:0:0:1); compare in that form.
  if (isIP(name) !== 6) return name.toLowerCase();
  if (name === "::1") return "0:0:0:0:0:0:0:1";
  return name.toLowerCase();
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return bytes.toString("hex");
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}
