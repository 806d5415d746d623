import type { FastifyRequest } from "fastify";
import { DataAction } from "../../../platform/authorization/data-actions.js";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import { publicBaseUrl } from "../../../platform/http/request-url.js";
import type { RouteRegistry } from "../../../platform/http/route-registry.js";
import { keyNameOf, keyScopeOf, versionOf } from "../key-route-support.js";
import { releaseBody } from "../key-request-schemas.js";
import type { KeyReleaseService } from "./key-release-service.js";

const KEY_PATHS = ["/keys/:keyName", "/keys/:keyName/:keyVersion"];

/**
 * POST /keys/{name}[/{version}]/release (data action keys/release/action, held by Managed HSM
 * Crypto Service Release User), and the 2026-04-01 secure wrap and unwrap.
 */
export function registerReleaseRoutes(routes: RouteRegistry, release: KeyReleaseService): void {
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

    for (const [path, operation, dataAction] of [
      ["securewrapkey", "SecureWrapKey", DataAction.KeysWrap],
      ["secureunwrapkey", "SecureUnwrapKey", DataAction.KeysUnwrap],
    ] as const) {
      routes.authorized({
        method: "POST",
        url: `${prefix}/${path}`,
        operation,
        dataAction,
        scope: keyScopeOf,
        schema: { body: { type: "object" } },
        handler: async () => {
          throw KeyVaultErrors.secureKeyReleaseUnavailable(operation);
        },
      });
    }
  }
}

function apiVersionOf(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>)["api-version"];
  return String(Array.isArray(value) ? value[0] : (value ?? ""));
}
