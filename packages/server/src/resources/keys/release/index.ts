import type { ResourceModule } from "../../../platform/http/resource-module.js";
import type { KeyReleaseService } from "./key-release-service.js";
import type { SecureWrapService } from "./secure-wrap-service.js";
import { registerReleaseRoutes } from "./release-routes.js";

export { AttestationTokenVerifier } from "./attestation-token-verifier.js";
export { type AuthorityKeySource, HttpsAuthorityKeys, type PublishedJwk } from "./authority-keys.js";
export { KeyReleaseService } from "./key-release-service.js";
export { AttestationIdentityReleaseSigner, type ReleaseSigner } from "./release-signer.js";
export { SecureWrapService } from "./secure-wrap-service.js";

/** Secure key release over the keys services (release/release-routes.ts). */
export function keyReleaseResource(release: KeyReleaseService, secure: SecureWrapService): ResourceModule {
  return { register: (routes) => registerReleaseRoutes(routes, release, secure) };
}
