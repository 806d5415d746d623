/**
 * Before activation, every data-plane route answers "HSM not activated" (the gate in
 * http/app.ts), except what an administrator needs to activate it: the security domain routes,
 * and mhsm's principal admin endpoint (the identity provider's routes are public and pass
 * anyway). Role administration waits too: role assignments are HSM contents a restore replaces.
 */
export function answersBeforeActivation(routeUrl: string | undefined): boolean {
  if (!routeUrl) return false;
  return (
    routeUrl.startsWith("/securitydomain/") ||
    routeUrl === "/mhsm/principals" ||
    routeUrl.startsWith("/mhsm/principals/")
  );
}
