import type { ResourceModule } from "../../platform/http/resource-module.js";
import type { KeyRouteServices } from "./key-route-support.js";
import { registerAllKeyRoutes } from "./register-key-routes.js";

export { createKeysModule, type KeysModule, type KeysSettings } from "./keys-module.js";

/** The keys data plane (/keys, /deletedkeys, /rng) over services that exist once the HSM is activated. */
export function keysResource(services: KeyRouteServices): ResourceModule {
  return { register: (routes) => registerAllKeyRoutes(routes, services) };
}
