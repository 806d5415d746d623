import type { ServerConfig } from "../platform/config/server-config.js";
import type { ResourceModule } from "../platform/http/resource-module.js";
import {
  TestAttestationAuthority,
  isTestAuthority,
  testAttestationAuthorityModule,
} from "../resources/attestation/index.js";
import {
  AttestationIdentityReleaseSigner,
  AttestationTokenVerifier,
  type AuthorityKeySource,
  HttpsAuthorityKeys,
  KeyReleaseService,
  SecureWrapService,
  keyReleaseResource,
} from "../resources/keys/release/index.js";
import type { KeyRouteServices } from "../resources/keys/key-route-support.js";
import type { HsmSecrets } from "./hsm-secrets.js";

/**
 * Secure key release's parts: the release signer (the HSM's attestation identity), the token verifier
 * over the configured trusted authorities, and, for tests only and when asked for, the built-in
 * attestation authority, whose tokens the verifier checks with its key directly.
 */
export function keyReleaseModules(
  config: ServerConfig,
  secrets: HsmSecrets,
  keyRoutes: KeyRouteServices,
): ResourceModule[] {
  const { store, barrier } = secrets;
  const https = new HttpsAuthorityKeys(config.attestation.timeoutSeconds * 1000);
  const testAuthority = config.attestation.testAuthority
    ? new TestAttestationAuthority(store.meta, barrier)
    : undefined;
  if (testAuthority) {
    // Said at every start: anyone who reaches this server can mint tokens that satisfy any policy
    // naming it, which is what tests want and what no production HSM may have.
    console.warn(
      "mhsm: WARNING: the built-in TEST attestation authority is on (--test-attestation-authority): anyone who reaches this server can mint attestation tokens it trusts. Never use it in production.",
    );
  }
  const keys: AuthorityKeySource = {
    keysOf: (authority, fresh) =>
      testAuthority && isTestAuthority(authority) ? testAuthority.keysOf() : https.keysOf(authority, fresh),
  };
  const verifier = new AttestationTokenVerifier({
    keys,
    trustedAuthorities: config.attestation.authorities,
    ...(testAuthority ? { alsoTrusted: isTestAuthority } : {}),
  });
  const release = new KeyReleaseService(
    keyRoutes.keys,
    store,
    () => keyRoutes.softDelete,
    verifier,
    new AttestationIdentityReleaseSigner(() => keyRoutes.attestation.identity()),
  );
  const secure = new SecureWrapService(keyRoutes.keys, keyRoutes.crypto, verifier);
  return [
    keyReleaseResource(release, secure),
    ...(testAuthority ? [testAttestationAuthorityModule(testAuthority)] : []),
  ];
}
