import { X509Certificate, createHash, createPublicKey, verify } from "node:crypto";

/**
 * Offline verification of mhsm key attestation (docs/key-attestation.md), for `mhsm key
 * verify-attestation` and anyone else: node:crypto only, nothing of the server. Each failure
 * throws AttestationVerificationError saying what did not hold.
 */
export class AttestationVerificationError extends Error {}

/** The claims of a verified blob (key-attestation-statement.ts's KeyAttestationClaims, as received). */
export type VerifiedClaims = Record<string, unknown> & {
  portion: "private" | "public";
  kid: string;
  kty: string;
  origin: string;
  exportable: boolean;
};

export interface VerifiedAttestation {
  /** The private-portion claims; then the public-portion ones for asymmetric keys. */
  blobs: VerifiedClaims[];
  /** Subjects from the attestation certificate up to the trusted root. */
  chain: string[];
}

/** `attributes.attestation` as the service sends it: base64url members (or bytes, as the SDKs give them). */
export interface KeyAttestationInput {
  certificatePemFile?: string | Uint8Array | undefined;
  privateKeyAttestation?: string | Uint8Array | undefined;
  publicKeyAttestation?: string | Uint8Array | undefined;
  version?: string | undefined;
}

const FAIL = (message: string): never => {
  throw new AttestationVerificationError(message);
};

/**
 * Verifies one blob (a compact JWS) against `trustedRootPem`: the x5c chain ends in a certificate
 * the root issued (or the root itself), every certificate is valid at `now`, and the attestation
 * certificate's key signed the JWS (RS256).
 */
export function verifyAttestationBlob(
  blob: string,
  trustedRootPem: string,
  now = new Date(),
): VerifiedAttestation {
  const parts = blob.trim().split(".");
  if (parts.length !== 3) FAIL("the attestation blob is not a compact JWS (three base64url parts)");
  const [header64, payload64, signature64] = parts as [string, string, string];
  const header = parseJson(header64, "header") as { alg?: unknown; x5c?: unknown };
  if (header.alg !== "RS256") FAIL(`the attestation blob's alg is ${JSON.stringify(header.alg)}, not RS256`);
  if (!Array.isArray(header.x5c) || header.x5c.length === 0 || header.x5c.length > 4) {
    FAIL("the attestation blob's header has no x5c certificate chain");
  }
  const chain = (header.x5c as unknown[]).map((entry, index) => {
    try {
      return new X509Certificate(Buffer.from(String(entry), "base64"));
    } catch {
      return FAIL(`x5c[${index}] is not a DER certificate`);
    }
  });
  let root: X509Certificate;
  try {
    root = new X509Certificate(trustedRootPem);
  } catch {
    return FAIL("the trusted root is not a PEM X.509 certificate");
  }
  const leaf = chain[0] as X509Certificate;
  if (leaf.ca) FAIL("the attestation certificate (x5c[0]) is a CA certificate, not a signing certificate");
  const path = pathToRoot(chain, root);
  for (const certificate of path) checkValidity(certificate, now);
  const input = Buffer.from(`${header64}.${payload64}`, "ascii");
  const signature = Buffer.from(signature64, "base64url");
  if (!verify("sha256", input, leaf.publicKey, signature)) {
    FAIL("the attestation blob's signature does not verify with its attestation certificate");
  }
  const claims = parseJson(payload64, "payload") as VerifiedClaims;
  if (claims.format !== "mhsm-key-attestation")
    FAIL("the attestation blob's payload is not an mhsm key attestation");
  return { blobs: [claims], chain: path.map((certificate) => certificate.subject.replace(/\n/g, ", ")) };
}

/**
 * Verifies a whole `attributes.attestation`: the private blob, the public blob when present, that
 * both speak of the same key version, and, when the key's public JWK is given, that the claimed
 * public key hash is the hash of that key (so the attestation is about the key the caller holds).
 */
export function verifyKeyAttestation(
  attestation: KeyAttestationInput,
  trustedRootPem: string,
  publicJwk?: Record<string, unknown>,
  now = new Date(),
): VerifiedAttestation {
  const privateBlob = textOf(attestation.privateKeyAttestation);
  if (!privateBlob) FAIL("the attestation has no privateKeyAttestation");
  const first = verifyAttestationBlob(privateBlob as string, trustedRootPem, now);
  const blobs = [...first.blobs];
  const publicBlob = textOf(attestation.publicKeyAttestation);
  if (publicBlob) blobs.push(...verifyAttestationBlob(publicBlob, trustedRootPem, now).blobs);
  const [privateClaims, publicClaims] = blobs as [VerifiedClaims, VerifiedClaims | undefined];
  if (privateClaims.portion !== "private") FAIL("privateKeyAttestation does not attest the private portion");
  if (publicClaims) {
    if (publicClaims.portion !== "public") FAIL("publicKeyAttestation does not attest the public portion");
    if (publicClaims.kid !== privateClaims.kid) FAIL("the two attestation blobs name different key versions");
    if (publicClaims.publicKeySha256 !== privateClaims.publicKeySha256) {
      FAIL("the two attestation blobs state different public keys");
    }
  } else if (privateClaims.kty !== "oct-HSM") {
    FAIL(`an ${privateClaims.kty} key's attestation has no publicKeyAttestation`);
  }
  if (publicJwk && privateClaims.kty !== "oct-HSM") {
    if (publicJwk.kid !== undefined && publicJwk.kid !== privateClaims.kid) {
      FAIL(`the attestation is of ${privateClaims.kid}, not of ${String(publicJwk.kid)}`);
    }
    if (spkiSha256(publicJwk) !== privateClaims.publicKeySha256) {
      FAIL("the attested public key hash is not the hash of the key's public key");
    }
  }
  return { blobs, chain: first.chain };
}

/** The certificates in certificatePemFile, in order (the attestation certificate, then the root). */
export function certificatesOf(attestation: KeyAttestationInput): string[] {
  const text = textOf(attestation.certificatePemFile) ?? "";
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** base64url SHA-256 of a public JWK's SubjectPublicKeyInfo DER. */
export function spkiSha256(jwk: Record<string, unknown>): string {
  const { kty, n, e, crv, x, y } = jwk;
  const plain = String(kty).startsWith("RSA")
    ? { kty: "RSA", n: b64url(n), e: b64url(e) }
    : { kty: "EC", crv: crv === "P-256K" ? "secp256k1" : crv, x: b64url(x), y: b64url(y) };
  try {
    const spki = createPublicKey({ key: plain as never, format: "jwk" }).export({
      type: "spki",
      format: "der",
    });
    return createHash("sha256").update(spki).digest("base64url");
  } catch {
    return FAIL("the key's public JWK is not a usable RSA or EC public key");
  }
}

/** The chain from x5c[0] up to a certificate the trusted root issued (or the root itself). */
function pathToRoot(chain: X509Certificate[], root: X509Certificate): X509Certificate[] {
  const path: X509Certificate[] = [];
  for (let index = 0; index < chain.length; index += 1) {
    const certificate = chain[index] as X509Certificate;
    path.push(certificate);
    if (certificate.fingerprint256 === root.fingerprint256) return path;
    if (certificate.checkIssued(root) && certificate.verify(root.publicKey)) return [...path, root];
    const issuer = chain[index + 1];
    if (!issuer || !issuer.ca || !certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
      break;
    }
  }
  return FAIL("the attestation certificate chain does not lead to the trusted root");
}

function checkValidity(certificate: X509Certificate, now: Date): void {
  if (new Date(certificate.validFrom) > now || new Date(certificate.validTo) < now) {
    FAIL(`the certificate ${certificate.subject.replace(/\n/g, ", ")} is not valid now`);
  }
}

function parseJson(part: string, what: string): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // Reported below.
  }
  return FAIL(`the attestation blob's ${what} is not a base64url JSON object`);
}

/** A blob member as text: the wire's base64url string, or the bytes an SDK decoded it to. */
function textOf(value: string | Uint8Array | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string"
    ? Buffer.from(value, "base64url").toString("utf8")
    : Buffer.from(value).toString("utf8");
}

/** JWK members from an SDK may be bytes; the JWK import wants base64url text. */
function b64url(value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString("base64url") : value;
}
