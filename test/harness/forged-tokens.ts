import { generateKeyPairSync } from "node:crypto";
import { type JWK, SignJWT, exportJWK } from "jose";

/** Token minting for tests that need tokens the server did not issue (forged, external issuer). */
export interface TestSigner {
  sign(claims: Record<string, unknown>, options?: { kid?: string; alg?: string }): Promise<string>;
  publicJwk: JWK;
}

export async function createTestSigner(kid = "test-key"): Promise<TestSigner> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" };
  return {
    publicJwk,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: options.alg ?? "RS256", kid: options.kid ?? kid, typ: "JWT" })
        .sign(privateKey),
  };
}

/** Standard claims for a token `seconds` from now; override any of them. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, nbf: now, exp: now + 3600, ...overrides };
}

/** An unsigned JWT (`alg: none`) with the given claims. */
export function unsignedToken(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`;
}

/** The payload of a JWT, unverified (for asserting on claims the server issued). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8"));
}
