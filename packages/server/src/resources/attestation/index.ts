import type { ResourceModule } from "../../platform/http/resource-module.js";
import type { TestAttestationAuthority } from "./test-authority.js";
import { registerTestAuthorityRoutes } from "./test-authority-routes.js";

export { TestAttestationAuthority, isTestAuthority, TEST_AUTHORITY_PATH } from "./test-authority.js";

/** FOR TESTS ONLY: the built-in attestation authority's routes (--test-attestation-authority). */
export function testAttestationAuthorityModule(authority: TestAttestationAuthority): ResourceModule {
  return { register: (routes) => registerTestAuthorityRoutes(routes, authority) };
}
