import { randomBytes } from "node:crypto";
import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { encodeBase64Url } from "./base64url.js";
import { randomBytesBody } from "./key-request-schemas.js";

/** POST /rng: 1 to 128 random bytes from the HSM (OpenSSL's CSPRNG), at scope "/". */
export function registerRandomBytesRoute(routes: RouteRegistry): void {
  routes.authorized({
    method: "POST",
    url: "/rng",
    operation: "GetRandomBytes",
    dataAction: DataAction.Rng,
    scope: () => GLOBAL_SCOPE,
    schema: { body: randomBytesBody },
    handler: async (request) => ({
      value: encodeBase64Url(randomBytes((request.body as { count: number }).count)),
    }),
  });
}
