import type { ResourceModule } from "../../platform/http/resource-module.js";
import type { EmbeddedIdentityProvider } from "./embedded-identity-provider.js";
import { registerIdentityProviderRoutes } from "./identity-provider-routes.js";
import { registerPrincipalRoutes } from "./principal-routes.js";

/** The embedded identity provider: its public token endpoints and mhsm's principal admin routes. */
export function identityModule(idp: EmbeddedIdentityProvider, listPageSize?: number): ResourceModule {
  return {
    register(routes) {
      registerIdentityProviderRoutes(routes, idp);
      registerPrincipalRoutes(routes, idp, listPageSize);
    },
  };
}
