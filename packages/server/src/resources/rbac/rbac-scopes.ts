import type { FastifyRequest } from "fastify";
import { GLOBAL_SCOPE, KEYS_SCOPE, parseScope } from "../../platform/authorization/scope.js";

/**
 * RBAC resources live under a scope: /{scope}/providers/Microsoft.Authorization/...
 * Repeated slashes are collapsed before routing, so "/", "//" and "///" prefixes all land on
 * the "/" variant. Each resource is registered once per scope form.
 */
export const SCOPE_PREFIXES: Array<{ prefix: string; scope: (request: FastifyRequest) => string }> = [
  { prefix: "", scope: () => GLOBAL_SCOPE },
  { prefix: "/keys", scope: () => KEYS_SCOPE },
  {
    prefix: "/keys/:keyName",
    scope: (request) => parseScope(`/keys/${(request.params as { keyName: string }).keyName}`),
  },
];

export const AUTHORIZATION_PROVIDER = "/providers/Microsoft.Authorization";
