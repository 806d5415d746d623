import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { registerDeletedKeyRoutes } from "./deleted-key-routes.js";
import { registerKeyAttestationRoutes } from "./attestation/key-attestation-routes.js";
import { registerKeyOperationRoutes } from "./key-operation-routes.js";
import type { KeyRouteServices } from "./key-route-support.js";
import { registerKeyRoutes } from "./key-routes.js";
import { registerRandomBytesRoute } from "./random-bytes-route.js";

/** Every keys data-plane route (the keys.json contract), registered on the shared registry. */
export function registerAllKeyRoutes(routes: RouteRegistry, services: KeyRouteServices): void {
  registerKeyRoutes(routes, services);
  registerDeletedKeyRoutes(routes, services);
  registerKeyOperationRoutes(routes, services);
  registerRandomBytesRoute(routes);
  registerKeyAttestationRoutes(routes, services);
}

export type { KeyRouteServices };
