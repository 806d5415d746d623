import type { FastifyReply, FastifyRequest } from "fastify";
import type { EmbeddedIdentityProvider } from "./embedded-identity-provider.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";

/**
 * The identity provider's public endpoints, shaped as Microsoft Entra's so MSAL-based clients
 * work: OpenID discovery, the key set, and the token endpoint (client credentials grant).
 */
export function registerIdentityProviderRoutes(routes: RouteRegistry, idp: EmbeddedIdentityProvider): void {
  routes.public({
    method: "GET",
    url: "/:tenant/v2.0/.well-known/openid-configuration",
    operation: "IdentityProvider_Discovery",
    handler: async (request, reply) => {
      if (!tenantMatches(request, idp)) return tenantNotFound(request, reply);
      return {
        issuer: idp.issuer,
        token_endpoint: idp.tokenEndpoint,
        jwks_uri: idp.jwksUri,
        authorization_endpoint: `${idp.authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${idp.authority}/oauth2/v2.0/logout`,
        token_endpoint_auth_methods_supported: ["client_secret_post"],
        grant_types_supported: ["client_credentials"],
        response_types_supported: ["token"],
        id_token_signing_alg_values_supported: ["RS256"],
        subject_types_supported: ["pairwise"],
        scopes_supported: [".default"],
        claims_supported: ["iss", "aud", "tid", "oid", "appid", "azp", "sub", "iat", "nbf", "exp"],
        tenant_region_scope: null,
        cloud_instance_name: "mhsm",
      };
    },
  });
  routes.public({
    method: "GET",
    url: "/:tenant/discovery/v2.0/keys",
    operation: "IdentityProvider_Keys",
    handler: async (request, reply) => {
      if (!tenantMatches(request, idp)) return tenantNotFound(request, reply);
      return idp.publicJwks;
    },
  });
  routes.public({
    method: "POST",
    url: "/:tenant/oauth2/v2.0/token",
    operation: "IdentityProvider_Token",
    formBody: true,
    handler: async (request, reply) => {
      if (!tenantMatches(request, idp)) return tenantNotFound(request, reply);
      return issueToken(idp, request, reply);
    },
  });

  // The same provider as an AD FS authority, <vault url>/adfs: MSAL (JS and Python) skips instance
  // discovery for a tenant named "adfs" and reads <authority>/.well-known/openid-configuration, so
  // DefaultAzureCredential configured by AZURE_AUTHORITY_HOST=<vault url>, AZURE_TENANT_ID=adfs
  // and the client's id and secret gets tokens here with no code. Same tokens (issuer, audience),
  // same token endpoint logic and throttle; only the addresses differ.
  routes.public({
    method: "GET",
    url: "/adfs/.well-known/openid-configuration",
    operation: "IdentityProvider_AdfsDiscovery",
    handler: async () => ({
      // MSAL JS accepts the document when the issuer's origin is the authority's: it is.
      issuer: idp.issuer,
      token_endpoint: idp.adfsTokenEndpoint,
      jwks_uri: idp.jwksUri,
      authorization_endpoint: `${idp.adfsAuthority}/oauth2/authorize`,
      token_endpoint_auth_methods_supported: ["client_secret_post"],
      grant_types_supported: ["client_credentials"],
      response_types_supported: ["token"],
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["pairwise"],
      scopes_supported: [".default"],
    }),
  });
  routes.public({
    method: "POST",
    url: "/adfs/oauth2/token",
    // The same operation at a second address: the AD FS authority's.
    operation: "IdentityProvider_Token",
    formBody: true,
    handler: (request, reply) => issueToken(idp, request, reply),
  });
}

/** The client credentials grant, for both addresses of the token endpoint. */
async function issueToken(idp: EmbeddedIdentityProvider, request: FastifyRequest, reply: FastifyReply) {
  const form = (request.body ?? {}) as Record<string, string | undefined>;
  if (form.grant_type !== "client_credentials") {
    return oauthError(
      request,
      reply,
      400,
      "unsupported_grant_type",
      70003,
      "The grant type must be client_credentials.",
    );
  }
  const { client_id: clientId, client_secret: clientSecret, scope } = form;
  if (!clientId || !clientSecret) {
    return oauthError(
      request,
      reply,
      400,
      "invalid_request",
      900144,
      "The request body must contain client_id and client_secret.",
    );
  }
  request.auditClientId = clientId.slice(0, 64);
  if (!scope || !idp.acceptsScope(scope)) {
    return oauthError(
      request,
      reply,
      400,
      "invalid_scope",
      500011,
      "The scope must be '<resource>/.default' for this HSM's resource.",
    );
  }
  // Failed attempts are limited per (client id, address) and per address: see TokenThrottle.
  const attempt = idp.throttle.attempt(clientId, request.ip);
  if ("retryAfterSeconds" in attempt) {
    // As Entra throttles the client credentials grant: 429 with Retry-After.
    reply.header("retry-after", String(attempt.retryAfterSeconds));
    return oauthError(
      request,
      reply,
      429,
      "temporarily_unavailable",
      90055,
      `Too many failed sign-in attempts from this address. Retry after ${attempt.retryAfterSeconds} seconds.`,
    );
  }
  const principal = await idp.principals.authenticate(clientId, clientSecret);
  if (principal) attempt.succeeded();
  if (!principal) {
    return oauthError(
      request,
      reply,
      401,
      "invalid_client",
      7000215,
      "Invalid client id or client secret provided.",
    );
  }
  const token = await idp.issueFor(principal);
  reply.header("cache-control", "no-store").header("pragma", "no-cache");
  return {
    token_type: "Bearer",
    expires_in: token.expiresIn,
    ext_expires_in: token.expiresIn,
    access_token: token.accessToken,
  };
}

function tenantMatches(request: FastifyRequest, idp: EmbeddedIdentityProvider): boolean {
  return (request.params as { tenant: string }).tenant.toLowerCase() === idp.tenantId;
}

function tenantNotFound(request: FastifyRequest, reply: FastifyReply) {
  return oauthError(
    request,
    reply,
    400,
    "invalid_request",
    90002,
    "Tenant not found. This identity provider serves one tenant.",
  );
}

/** Entra's error shape: {"error","error_description":"AADSTSnnn: ...","error_codes":[n],...}. */
function oauthError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  error: string,
  code: number,
  description: string,
) {
  request.auditErrorCode = error;
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${request.id}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: request.id,
    correlation_id: request.headers["client-request-id"] ?? request.id,
  });
}
