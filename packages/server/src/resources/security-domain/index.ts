import type { ResourceModule } from "../../platform/http/resource-module.js";
import type { RequestGate } from "../../platform/http/request-gates.js";
import type { HsmActivation } from "./hsm-activation.js";
import { registerSecurityDomainRoutes } from "./security-domain-routes.js";
import type { SecurityDomainService } from "./security-domain-service.js";

/** The security domain: download (activation), transfer key and upload. */
export function securityDomainModule(
  service: SecurityDomainService,
  retryAfterSeconds: number,
): ResourceModule {
  return { register: (routes) => registerSecurityDomainRoutes(routes, service, retryAfterSeconds) };
}

/**
 * Before activation every route answers HsmNotActivated, except what an administrator needs to
 * activate it: the security domain routes and the principal admin routes (they declare
 * `passes: ["activation"]`; the identity provider's routes are public and pass anyway). Role
 * administration waits too: role assignments are HSM contents a restore replaces.
 */
export function notActivatedGate(
  activation: Pick<HsmActivation, "activated" | "notActivatedMessage">,
): RequestGate {
  return {
    name: "activation",
    refusal: () =>
      activation.activated ? undefined : { code: "HsmNotActivated", message: activation.notActivatedMessage },
  };
}
