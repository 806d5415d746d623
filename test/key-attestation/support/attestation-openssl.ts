import { createPublicKey } from "node:crypto";
import { openssl, opensslVerifies } from "../../keys/support/openssl.js";

/**
 * OpenSSL's view of an mhsm key attestation: the independent check of the chain, the JWS
 * signature and the public key hash, with no mhsm code in between.
 */

/** The PEM certificates of certificatePemFile (bytes as the SDK gives them), in order. */
export function pemCertificates(certificatePemFile: Uint8Array): string[] {
  const text = Buffer.from(certificatePemFile).toString("utf8");
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** `openssl verify -CAfile root leaf`: the leaf chains to the given root. */
export function opensslVerifiesChain(leafPem: string, rootPem: string): boolean {
  return opensslVerifies((dir) => ["verify", "-CAfile", `${dir}/root.pem`, `${dir}/leaf.pem`], {
    "root.pem": `${rootPem}\n`,
    "leaf.pem": `${leafPem}\n`,
  });
}

/**
 * `openssl dgst -sha256 -verify` of a compact JWS (RS256) with the public key of `leafPem`
 * (extracted by `openssl x509 -pubkey`).
 */
export function opensslVerifiesJws(jws: string, leafPem: string): boolean {
  const [header, payload, signature] = jws.split(".") as [string, string, string];
  let publicKeyPem: string;
  try {
    publicKeyPem = openssl((dir) => ["x509", "-in", `${dir}/leaf.pem`, "-pubkey", "-noout"], {
      "leaf.pem": `${leafPem}\n`,
    }).toString("utf8");
  } catch {
    return false;
  }
  return opensslVerifies(
    (dir) => [
      "dgst",
      "-sha256",
      "-verify",
      `${dir}/pub.pem`,
      "-signature",
      `${dir}/sig.bin`,
      `${dir}/input.txt`,
    ],
    {
      "pub.pem": publicKeyPem,
      "sig.bin": Buffer.from(signature, "base64url"),
      "input.txt": `${header}.${payload}`,
    },
  );
}

/**
 * base64url SHA-256 of a public key's SubjectPublicKeyInfo DER as OpenSSL computes it, from the
 * JWK the SDK returned (node only re-encodes the JWK as PEM; OpenSSL makes the DER and hashes it).
 */
export function opensslSpkiSha256(jwk: {
  kty?: string;
  n?: Uint8Array;
  e?: Uint8Array;
  crv?: string;
  x?: Uint8Array;
  y?: Uint8Array;
}): string {
  const b64 = (bytes?: Uint8Array) => Buffer.from(bytes ?? []).toString("base64url");
  const key = jwk.kty?.startsWith("RSA")
    ? { kty: "RSA", n: b64(jwk.n), e: b64(jwk.e) }
    : { kty: "EC", crv: jwk.crv === "P-256K" ? "secp256k1" : jwk.crv, x: b64(jwk.x), y: b64(jwk.y) };
  const pem = createPublicKey({ key: key as never, format: "jwk" }).export({ type: "spki", format: "pem" });
  const digest = openssl((dir) => ["dgst", "-sha256", "-binary", `${dir}/key.der`], {
    "key.der": openssl((dir) => ["pkey", "-pubin", "-in", `${dir}/key.pem`, "-outform", "DER"], {
      "key.pem": pem,
    }),
  });
  return digest.toString("base64url");
}

/** The decoded JSON of a compact JWS part (header or payload). */
export function jwsPart(jws: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split(".")[index] as string, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}
