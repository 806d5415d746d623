import { execFileSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One security domain key holder: a certificate and its private key, as PEM files. */
export interface KeyHolder {
  certificate: string;
  privateKey: string;
}

/**
 * RSA key pairs with self-signed certificates, made by openssl as the Azure docs tell an
 * administrator to (`openssl req -newkey rsa:2048 -nodes -keyout k.key -x509 -out c.cer`).
 */
export function makeKeyHolders(dir: string, prefix: string, count: number, bits = 2048): KeyHolder[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `${prefix}${index + 1}`;
    const holder = { certificate: join(dir, `${name}.cer`), privateKey: join(dir, `${name}.key`) };
    openssl([
      "req",
      "-newkey",
      `rsa:${bits}`,
      "-nodes",
      "-keyout",
      holder.privateKey,
      "-x509",
      "-days",
      "30",
      "-subj",
      `/CN=${name}`,
      "-out",
      holder.certificate,
    ]);
    return holder;
  });
}

/** A P-256 certificate: a well-formed certificate whose key is not RSA. */
export function makeEcCertificate(dir: string, name: string): string {
  const certificate = join(dir, `${name}.cer`);
  openssl([
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    join(dir, `${name}.key`),
    "-x509",
    "-days",
    "30",
    "-subj",
    `/CN=${name}`,
    "-out",
    certificate,
  ]);
  return certificate;
}

/** The private key as encrypted PKCS#8 (AES-256), as a careful key holder keeps it. */
export function encryptPrivateKey(holder: KeyHolder, password: string): string {
  const encrypted = holder.privateKey.replace(/\.key$/, ".encrypted.key");
  openssl([
    "pkcs8",
    "-topk8",
    "-v2",
    "aes-256-cbc",
    "-in",
    holder.privateKey,
    "-out",
    encrypted,
    "-passout",
    `pass:${password}`,
  ]);
  return encrypted;
}

/**
 * The SecurityDomainJsonWebKey a client sends for a certificate file, built here from the
 * certificate alone (not with mhsm's code): x5c is the DER in base64, x5t#S256 its SHA-256.
 */
export function certificateJwk(path: string): Record<string, unknown> {
  const certificate = new X509Certificate(readFileSync(path));
  const { n, e } = certificate.publicKey.export({ format: "jwk" });
  return {
    kty: certificate.publicKey.asymmetricKeyType === "rsa" ? "RSA" : "EC",
    kid: path,
    key_ops: ["wrapKey"],
    n,
    e,
    x5c: [certificate.raw.toString("base64")],
    "x5t#S256": createHash("sha256").update(certificate.raw).digest("base64url"),
    alg: "RSA-OAEP-256",
  };
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}
