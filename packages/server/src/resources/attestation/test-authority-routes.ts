import { type KeyObject, createPublicKey } from "node:crypto";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { publicBaseUrl } from "../../platform/http/request-url.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { TEST_AUTHORITY_PATH, type TestAttestationAuthority } from "./test-authority.js";

/** The body of POST /test-attestation/tokens. */
const mintBody = {
  type: "object",
  properties: {
    claims: { type: "object", maxProperties: 200 },
    /** An RSA public key: PEM (SPKI or PKCS#1) or a JWK with n and e. */
    runtimeKey: { type: ["string", "object"], maxLength: 16_384 },
    runtimeKeyId: { type: "string", maxLength: 200 },
  },
} as const;

/** The test authority's routes: public (an attestation authority has no caller identity). */
export function registerTestAuthorityRoutes(
  routes: RouteRegistry,
  authority: TestAttestationAuthority,
): void {
  routes.public({
    method: "GET",
    url: `${TEST_AUTHORITY_PATH}/.well-known/openid-configuration`,
    operation: "TestAttestationMetadata",
    handler: async (request) => authority.metadata(publicBaseUrl(request)),
  });
  routes.public({
    method: "GET",
    url: `${TEST_AUTHORITY_PATH}/certs`,
    operation: "TestAttestationKeys",
    handler: async () => authority.jwks(),
  });
  routes.public({
    method: "GET",
    url: `${TEST_AUTHORITY_PATH}/generate-test-token`,
    operation: "TestAttestationGenerateToken",
    handler: async (request) => ({ token: await authority.generateTestToken(publicBaseUrl(request)) }),
  });
  routes.public({
    method: "POST",
    url: `${TEST_AUTHORITY_PATH}/tokens`,
    operation: "TestAttestationMintToken",
    schema: { body: mintBody },
    handler: async (request) => {
      const body = (request.body ?? {}) as {
        claims?: Record<string, unknown>;
        runtimeKey?: unknown;
        runtimeKeyId?: string;
      };
      const runtimeKey = body.runtimeKey === undefined ? undefined : rsaPublicKey(body.runtimeKey);
      const token = await authority.mint(
        publicBaseUrl(request),
        body.claims ?? {},
        runtimeKey,
        body.runtimeKeyId,
      );
      return { token };
    },
  });
}

function rsaPublicKey(input: unknown): KeyObject {
  let key: KeyObject;
  try {
    key =
      typeof input === "string"
        ? createPublicKey(input)
        : createPublicKey({ key: input as import("node:crypto").JsonWebKey, format: "jwk" });
  } catch {
    throw KeyVaultErrors.badParameter(
      "runtimeKey must be an RSA public key: PEM, or a JWK with kty RSA, n and e.",
    );
  }
  if (key.asymmetricKeyType !== "rsa") throw KeyVaultErrors.badParameter("runtimeKey must be an RSA key.");
  return key;
}
