import { randomUUID } from "node:crypto";
import { CachingTokenVerifier } from "../platform/auth/caching-token-verifier.js";
import { TokenVerifier } from "../platform/auth/token-verifier.js";
import { RbacEngine } from "../platform/authorization/rbac-engine.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { type MetricsRecorder, NO_METRICS } from "../platform/metrics/metrics-recorder.js";
import type { ChangeFeed } from "../platform/store/change-feed.js";
import { EmbeddedIdentityProvider, audiencesFor } from "../resources/identity/embedded-identity-provider.js";
import { type CreatedPrincipal, PrincipalService } from "../resources/identity/principal-service.js";
import { grantSourceOf } from "../resources/rbac/role-assignment-repository.js";
import { RoleAssignmentService } from "../resources/rbac/role-assignment-service.js";
import { RoleDefinitionService } from "../resources/rbac/role-definition-service.js";
import type { HsmSecrets } from "./hsm-secrets.js";
import type { HsmStore } from "./hsm-store.js";

const INITIAL_ADMIN_META = "initialAdmin.objectId";

/** Who may do what: tokens, the identity provider, RBAC and the services that administer them. */
export type AccessControl = ReturnType<typeof buildAccessControl>;

export function buildAccessControl(
  config: ServerConfig,
  secrets: HsmSecrets,
  changes: ChangeFeed,
  metrics: MetricsRecorder = NO_METRICS,
) {
  const { store } = secrets;
  const rbac = new RbacEngine(
    grantSourceOf(store),
    config.rbacCacheSeconds * 1000,
    (config.cacheMemoryMb * 1024 * 1024) / 8,
    Date.now,
    metrics,
  );
  rbac.follow(changes);
  const principals = new PrincipalService(store, {
    rbac,
    changes,
    liveCacheMs: config.rbacCacheSeconds * 1000,
  });
  const idp = new EmbeddedIdentityProvider(
    secrets.tenantId,
    secrets.signingKey,
    principals,
    config.resource,
    config.tokenLifetimeSeconds,
    config.tokenThrottle,
  );
  const roleDefinitions = new RoleDefinitionService(store, rbac, config.limits);
  const roleAssignments = new RoleAssignmentService(store, rbac, roleDefinitions, config.limits);
  const verifier = new CachingTokenVerifier(
    config.trustedIssuers.map((issuer) =>
      TokenVerifier.remoteIssuer(
        issuer.issuer,
        issuer.jwksUri,
        issuer.audiences ?? audiencesFor(config.resource),
      ),
    ),
    undefined,
    undefined,
    Date.now,
    metrics,
  );
  const administratorsIn = (tx: HsmStore) =>
    new RoleAssignmentService(tx, rbac, roleDefinitions, config.limits);

  return {
    rbac,
    idp,
    verifier,
    roleDefinitions,
    roleAssignments,

    /**
     * This server's initial administrator and the configured administrators hold the
     * Administrator role at "/": at every start, and again after a full restore (which replaces
     * role assignments) inside its transaction.
     */
    async ensureAdministrators(tx: HsmStore): Promise<void> {
      const initialAdmin = await tx.meta.get(INITIAL_ADMIN_META);
      for (const objectId of [...(initialAdmin ? [initialAdmin] : []), ...config.administrators]) {
        await administratorsIn(tx).ensureAdministrator(objectId, randomUUID);
      }
    },

    /**
     * Makes the HSM's initial administrator on its first start, before the port opens, so there
     * is no moment when it listens without anyone able to administer it. One transaction, so of
     * several nodes starting on one new database exactly one makes it. Returns its secret once.
     */
    async makeInitialAdministrator(): Promise<CreatedPrincipal | undefined> {
      const created = await store.transaction(async (tx) => {
        if (await tx.meta.get(INITIAL_ADMIN_META)) return undefined;
        const admin = await new PrincipalService(tx).create("initial-admin");
        await administratorsIn(tx).ensureAdministrator(admin.objectId, randomUUID);
        await tx.meta.getOrInsert(INITIAL_ADMIN_META, admin.objectId);
        return admin;
      });
      for (const objectId of config.administrators)
        await roleAssignments.ensureAdministrator(objectId, randomUUID);
      return created;
    },
  };
}
