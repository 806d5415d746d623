import { type KeyObject, createPublicKey } from "node:crypto";
import type { JsonWebKey } from "@azure/keyvault-keys";

/** A node:crypto public key from the public JWK the server returned (the SDK's Uint8Array form). */
export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("base64url");
  if (jwk.kty?.startsWith("RSA")) {
    return createPublicKey({ key: { kty: "RSA", n: b64(jwk.n), e: b64(jwk.e) }, format: "jwk" });
  }
  const crv = jwk.crv === "P-256K" ? "secp256k1" : jwk.crv;
  return createPublicKey({ key: { kty: "EC", crv, x: b64(jwk.x), y: b64(jwk.y) }, format: "jwk" });
}

export function publicPem(jwk: JsonWebKey): string {
  return publicKeyFromJwk(jwk).export({ type: "spki", format: "pem" }) as string;
}
