import type { FastifyRequest } from "fastify";
import { DataAction } from "../../../platform/authorization/data-actions.js";
import { publicBaseUrl } from "../../../platform/http/request-url.js";
import type { RouteRegistry } from "../../../platform/http/route-registry.js";
import { keyNameOf, keyScopeOf, versionOf } from "../key-route-support.js";
import { releaseBody } from "../key-request-schemas.js";
import { decodeBase64Url, encodeBase64Url } from "../base64url.js";
import { keyUrl } from "../key-wire.js";
import type { KeyReleaseService } from "./key-release-service.js";
import type { SecureWrapResult, SecureWrapService } from "./secure-wrap-service.js";

const secureWrapBody = {
  type: "object",
  required: ["alg"],
  properties: { alg: { type: "string", maxLength: 40 } },
} as const;

const secureUnwrapBody = {
  type: "object",
  required: ["alg", "value", "target"],
  properties: {
    alg: { type: "string", maxLength: 40 },
    value: { type: "string", maxLength: 16_384 },
    target: { type: "string", minLength: 1, maxLength: 65_536 },
  },
} as const;

/** SecureKeyOperationResult: kid, alg, value. */
function secureReply(request: FastifyRequest, result: SecureWrapResult) {
  return {
    kid: keyUrl(publicBaseUrl(request), result.key.name, result.key.version),
    alg: result.algorithm,
    value: encodeBase64Url(result.value),
  };
}

const KEY_PATHS = ["/keys/:keyName", "/keys/:keyName/:keyVersion"];

/**
 * POST /keys/{name}[/{version}]/release (data action keys/release/action, held by Managed HSM
 * Crypto Service Release User), and the 2026-04-01 secure wrap and unwrap.
 */
export function registerReleaseRoutes(
  routes: RouteRegistry,
  release: KeyReleaseService,
  secure: SecureWrapService,
): void {
  for (const prefix of KEY_PATHS) {
    routes.authorized({
      method: "POST",
      url: `${prefix}/release`,
      operation: "Release",
      dataAction: DataAction.KeysRelease,
      scope: keyScopeOf,
      schema: { body: releaseBody },
      handler: async (request) => {
        const body = request.body as { target: string; nonce?: string | null; enc?: string | null };
        const value = await release.release({
          name: keyNameOf(request),
          version: versionOf(request),
          target: body.target,
          nonce: body.nonce,
          enc: body.enc,
          baseUrl: publicBaseUrl(request),
          apiVersion: apiVersionOf(request),
        });
        return { value };
      },
    });

    routes.authorized({
      method: "POST",
      url: `${prefix}/securewrapkey`,
      operation: "SecureWrapKey",
      dataAction: DataAction.KeysWrap,
      scope: keyScopeOf,
      schema: { body: secureWrapBody },
      handler: async (request) => {
        const body = request.body as { alg: string };
        const result = await secure.wrap(keyNameOf(request), versionOf(request), body.alg);
        return secureReply(request, result);
      },
    });
    routes.authorized({
      method: "POST",
      url: `${prefix}/secureunwrapkey`,
      operation: "SecureUnwrapKey",
      dataAction: DataAction.KeysUnwrap,
      scope: keyScopeOf,
      schema: { body: secureUnwrapBody },
      handler: async (request) => {
        const body = request.body as { alg: string; value: string; target: string };
        const result = await secure.unwrap(
          keyNameOf(request),
          versionOf(request),
          body.alg,
          decodeBase64Url(body.value, "value"),
          body.target,
        );
        return secureReply(request, result);
      },
    });
  }
}

function apiVersionOf(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>)["api-version"];
  return String(Array.isArray(value) ? value[0] : (value ?? ""));
}
