import { type KeyObject, X509Certificate, createHash } from "node:crypto";
import { SecurityDomainFormatError } from "./security-domain-format.js";

/**
 * A wrapping key as the wire carries it: a JSON Web Key with the X.509 certificate (x5c) and
 * its SHA-256 thumbprint (x5t#S256), the SecurityDomainJsonWebKey of securitydomain.json. The
 * download request brings 3 to 10 of them; the transfer key is one too.
 */
export interface WrappingKeyJwk {
  kty: "RSA";
  kid: string;
  key_ops: string[];
  n: string;
  e: string;
  /** Standard base64 DER certificates, the key's own first (RFC 7517 section 4.7). */
  x5c: string[];
  "x5t#S256": string;
  alg: string;
  use?: string;
}

/** A wrapping key the server checked and can encrypt to. */
export interface WrappingKey {
  /** base64url SHA-256 of the certificate's DER: x5t#S256. */
  x5tS256: string;
  /** RFC 7638 thumbprint of the RSA public key. */
  keyThumbprint: string;
  publicKey: KeyObject;
  subject: string;
}

/** Below this the share's protection would be the weakest link of the security domain. */
export const MIN_RSA_BITS = 2048;

/** Checks one JWK of a download request (or a transfer key); `label` names it in the error. */
export function parseWrappingKeyJwk(value: unknown, label: string): WrappingKey {
  const fail = (why: string) => new SecurityDomainFormatError(`${label} ${why}.`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail("is not a JSON Web Key object");
  }
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== "RSA") {
    throw fail(`is not an RSA key (kty is ${JSON.stringify(jwk.kty ?? null)}): wrapping keys must be RSA`);
  }
  if (jwk.use !== undefined && jwk.use !== "enc")
    throw fail(`has use '${String(jwk.use)}'; it must be 'enc'`);
  const chain = jwk.x5c;
  if (!Array.isArray(chain) || chain.length === 0 || typeof chain[0] !== "string" || chain[0] === "") {
    throw fail("has no certificate: x5c must hold the key's X.509 certificate");
  }
  const der = Buffer.from(chain[0], "base64");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw fail("has an x5c entry that is not a DER X.509 certificate in base64");
  }
  const publicKey = certificate.publicKey;
  if (publicKey.asymmetricKeyType !== "rsa") {
    throw fail(`has a certificate whose key is ${publicKey.asymmetricKeyType ?? "unknown"}, not RSA`);
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw fail(`has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  const x5tS256 = certificateThumbprint(der);
  if (typeof jwk["x5t#S256"] !== "string" || jwk["x5t#S256"] === "") {
    throw fail("has no x5t#S256 (the certificate's SHA-256 thumbprint)");
  }
  if (jwk["x5t#S256"] !== x5tS256) throw fail("has an x5t#S256 that is not its certificate's thumbprint");
  const fromCertificate = publicKey.export({ format: "jwk" });
  if (
    (jwk.n !== undefined && jwk.n !== fromCertificate.n) ||
    (jwk.e !== undefined && jwk.e !== fromCertificate.e)
  ) {
    throw fail("has n and e that are not its certificate's public key");
  }
  return { x5tS256, keyThumbprint: keyThumbprint(publicKey), publicKey, subject: certificate.subject };
}

/** The JWK `mhsm security-domain download` sends for a certificate file (PEM or DER). */
export function wrappingKeyJwkFromCertificate(certificate: Buffer, kid: string): WrappingKeyJwk {
  const parsed = new X509Certificate(certificate);
  const { n, e } = parsed.publicKey.export({ format: "jwk" });
  return {
    kty: "RSA",
    kid,
    key_ops: ["encrypt", "wrapKey"],
    n: n as string,
    e: e as string,
    x5c: [parsed.raw.toString("base64")],
    "x5t#S256": certificateThumbprint(parsed.raw),
    alg: "RSA-OAEP-256",
    use: "enc",
  };
}

export function certificateThumbprint(der: Buffer): string {
  return createHash("sha256").update(der).digest("base64url");
}

/** RFC 7638: SHA-256 of {"e","kty","n"} in that order, no spaces; the same for a key pair's halves. */
export function keyThumbprint(key: KeyObject): string {
  const { n, e } = key.export({ format: "jwk" });
  return createHash("sha256")
    .update(JSON.stringify({ e, kty: "RSA", n }))
    .digest("base64url");
}
