import { randomUUID } from "node:crypto";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { AuditLog } from "../platform/audit/audit-log.js";
import { CachingTokenVerifier } from "../platform/auth/caching-token-verifier.js";
import { TokenVerifier } from "../platform/auth/token-verifier.js";
import { RbacEngine } from "../platform/authorization/rbac-engine.js";
import { Barrier } from "../platform/barrier/barrier.js";
import { checkNodeKeyFitsStore, escrowNodeKey, loadNodeKey } from "../platform/barrier/node-key.js";
import { resealUnderNodeKey } from "./node-key-migration.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { ensureDirectory } from "../platform/config/data-directory.js";
import { createHttpApp } from "../platform/http/app.js";
import type { DeclaredRoute } from "../platform/http/route-registry.js";
import { EmbeddedIdentityProvider, audiencesFor } from "../resources/identity/embedded-identity-provider.js";
import { PrincipalService } from "../resources/identity/principal-service.js";
import { loadOrCreateSigningKey } from "../resources/identity/signing-key.js";
import { refreshInitialAdminFile, writeInitialAdminFile } from "./initial-admin.js";
import { loggableErrorLine } from "../platform/logging/loggable-error.js";
import { RoleAssignmentService } from "../resources/rbac/role-assignment-service.js";
import { RoleDefinitionService } from "../resources/rbac/role-definition-service.js";
import { SettingService } from "../resources/settings/setting-service.js";
import { BackupService } from "../resources/backup/backup-service.js";
import { RestoreGate } from "../resources/backup/restore-gate.js";
import { JobRunner } from "../platform/jobs/job-runner.js";
import { KeyNoticePublisher } from "../resources/keys/key-notices.js";
import { createKeysModule } from "../resources/keys/keys-module.js";
import { domainKeyAtStart } from "../resources/security-domain/domain-key-at-start.js";
import { DomainServices } from "../resources/security-domain/domain-services.js";
import { HsmActivation } from "../resources/security-domain/hsm-activation.js";
import { SecurityDomainService } from "../resources/security-domain/security-domain-service.js";
import { openDatabase } from "../platform/store/database.js";
import { type ChangeFeed, LocalChangeFeed, PostgresChangeFeed } from "../platform/store/change-feed.js";
import { loadOrCreateNodeId } from "./node-identity.js";
import { Store } from "../platform/store/store.js";
import { loadServerTls } from "../platform/tls/server-tls.js";

export interface RunningServer {
  /** The vault URL clients use: --public-url, or https://host:port. */
  url: string;
  /** https://<bound address>:<port>: where the socket listens. */
  listenUrl: string;
  port: number;
  caFile: string | undefined;
  initialAdminFile: string;
  /** The route table (methods, URLs, data actions, scopes, schemas): what tests walk. */
  routes: readonly DeclaredRoute[];
  close(): Promise<void>;
}

const INITIAL_ADMIN_META = "initialAdmin.objectId";

/** The composition root: builds every layer from the configuration and starts listening. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  await ensureDirectory(config.dataDir);
  // Two keys (barrier.ts). The node key seals what the server needs before it has a domain key
  // (TLS, the identity provider); the domain key seals the HSM's contents and comes from its
  // file, or later from a security domain download or upload (activation).
  const nodeBarrier = Barrier.awaitingNodeKey();
  const domainKeyFile = join(config.dataDir, "domain.key");
  const startupDomainKey = await domainKeyAtStart({
    activation: config.activation,
    storage: config.domainKeyStorage,
    keyFile: domainKeyFile,
  });
  const barrier = Barrier.awaitingDomainKey();
  const database = openDatabase(config.store, config.dataDir);
  // Several nodes may start at once: Kysely's migrator takes a lock in the database.
  const store = await Store.open(database.db, barrier, database.dialect, nodeBarrier);
  const nodeId = await loadOrCreateNodeId(config.dataDir);
  let changes: ChangeFeed | undefined;
  let restoreGate: RestoreGate | undefined;
  let app: FastifyInstance | undefined;
  let runningJobs: JobRunner | undefined;
  // Known once the server listens (its port may be chosen then), unless configured.
  let baseUrl = config.publicUrl?.replace(/\/+$/, "");
  const notices = new KeyNoticePublisher({
    hsmName: config.hsmName,
    vaultUrl: () => baseUrl,
    webhookUrl: config.events.webhookUrl,
    log: (message) => console.warn(message),
  });
  // Built when the HSM is activated, which is after the change feed below is connected.
  const domainServices = new DomainServices((domainKey) =>
    createKeysModule({
      store,
      domainKey,
      settings: config.keys,
      onError: (message, error) => console.error(`mhsm: ${message}: ${loggableErrorLine(error)}`),
      changes,
      notices,
    }),
  );
  const audit = new AuditLog(join(config.dataDir, "audit.log"));
  try {
    const nodeKeyFile = join(config.dataDir, "node.key");
    const nodeKey = await loadNodeKey({ file: nodeKeyFile, meta: store.meta, domainKey: startupDomainKey });
    nodeBarrier.provideKey(nodeKey);
    await checkNodeKeyFitsStore(store.meta, nodeBarrier, nodeKeyFile);
    await resealUnderNodeKey({
      store,
      dataDir: config.dataDir,
      node: nodeBarrier,
      domainKey: startupDomainKey,
    });
    const tenantId = await store.meta.getOrInsert("tenantId", randomUUID());
    const signingKey = await loadOrCreateSigningKey(store.meta, nodeBarrier);
    const tls = await loadServerTls({
      dataDir: config.dataDir,
      hsmName: config.hsmName,
      names: config.tlsNames,
      barrier: nodeBarrier,
      certFile: config.tlsCert,
      keyFile: config.tlsKey,
    });

    changes =
      database.dialect === "postgres" && database.connectionString
        ? await PostgresChangeFeed.connect(database.connectionString, (message) =>
            console.warn(`mhsm: ${message}`),
          )
        : new LocalChangeFeed();
    const rbac = new RbacEngine(store, config.rbacCacheSeconds * 1000);
    rbac.follow(changes);
    const principals = new PrincipalService(store, {
      rbac,
      changes,
      liveCacheMs: config.rbacCacheSeconds * 1000,
    });
    const idp = new EmbeddedIdentityProvider(
      tenantId,
      signingKey,
      principals,
      config.resource,
      config.tokenLifetimeSeconds,
      config.tokenThrottle,
    );
    const roleDefinitions = new RoleDefinitionService(store, rbac, config.limits);
    const roleAssignments = new RoleAssignmentService(store, rbac, roleDefinitions, config.limits);
    const settings = new SettingService(store);
    // After a full restore (which replaces role assignments), this server's own initial
    // administrator and the configured administrators keep the Administrator role.
    const ensureAdministrators = async (tx: Store) => {
      const initialAdmin = await tx.meta.get(INITIAL_ADMIN_META);
      for (const objectId of [...(initialAdmin ? [initialAdmin] : []), ...config.administrators]) {
        await new RoleAssignmentService(tx, rbac, roleDefinitions, config.limits).ensureAdministrator(
          objectId,
          randomUUID,
        );
      }
    };
    const backups = new BackupService(store, domainServices.backupKeyring(), {
      hsmName: config.hsmName,
      localBackupRoots: config.localBackupRoots,
      storageIdentity: config.storageIdentity,
      storageBlobEndpoint: config.storageBlobEndpoint,
      // A full restore replaces role assignments; administrators named in the configuration stay.
      afterRestoreInTransaction: ensureAdministrators,
      afterRestore: () => {
        rbac.invalidate();
        // Restores write the keys tables directly: cached key state is stale.
        domainServices.keys?.invalidateCaches();
      },
    });
    const gate = new RestoreGate(store);
    restoreGate = gate;
    if (database.dialect === "postgres") gate.follow(changes);
    const jobs = new JobRunner(store, backups.handlers(), {
      nodeId,
      leaseMs: config.jobLeaseSeconds * 1000,
      changes,
      log: {
        error: (details, message) => console.error(`mhsm: ${message}`, details),
        warn: (m) => console.warn(m),
      },
    });
    runningJobs = jobs;
    jobs.onJob((job, phase) => gate.observe(job, phase));
    await jobs.start();
    const activation = new HsmActivation({
      store,
      barrier,
      storage: config.domainKeyStorage,
      keyFile: domainKeyFile,
      onActivated: async (domainKey) => {
        // From now on a node given only the domain key finds the node key in the store.
        await escrowNodeKey(store.meta, nodeKey, domainKey);
        domainServices.activate(domainKey);
      },
      log: (message) => console.warn(message),
    });
    await activation.load();
    if (startupDomainKey) await activation.activate(startupDomainKey, "start");
    const securityDomain = new SecurityDomainService(activation, {
      hsmName: config.hsmName,
      log: (message) => console.warn(message),
    });
    const verifier = new CachingTokenVerifier(
      config.trustedIssuers.map((issuer) =>
        TokenVerifier.remoteIssuer(
          issuer.issuer,
          issuer.jwksUri,
          issuer.audiences ?? audiencesFor(config.resource),
        ),
      ),
    );

    // The initial administrator is made before the port opens, so there is no moment when the
    // HSM listens without anyone able to administer it.
    // One transaction, so of several nodes starting on one new database exactly one makes it.
    const newAdminSecret = await store.transaction(async (tx) => {
      if (await tx.meta.get(INITIAL_ADMIN_META)) return undefined;
      const admin = await new PrincipalService(tx).create("initial-admin");
      await new RoleAssignmentService(tx, rbac, roleDefinitions, config.limits).ensureAdministrator(
        admin.objectId,
        randomUUID,
      );
      await tx.meta.getOrInsert(INITIAL_ADMIN_META, admin.objectId);
      return admin;
    });
    for (const objectId of config.administrators)
      await roleAssignments.ensureAdministrator(objectId, randomUUID);

    let routes: readonly DeclaredRoute[];
    ({ app, routes } = createHttpApp({
      tls,
      connections: {
        tlsHandshakeTimeoutMs: Math.round(config.tlsHandshakeTimeoutSeconds * 1000),
        headersTimeoutMs: Math.round(config.headersTimeoutSeconds * 1000),
        requestTimeoutMs: Math.round(config.requestTimeoutSeconds * 1000),
        keepAliveTimeoutMs: Math.round(config.keepAliveTimeoutSeconds * 1000),
        idleTimeoutMs: Math.round(config.idleTimeoutSeconds * 1000),
        maxConnections: config.maxConnections,
      },
      bodyLimitBytes: config.bodyLimitBytes,
      listPageSize: config.listPageSize,
      logLevel: config.logLevel,
      resource: config.resource,
      challengeAuthority: () => config.challengeAuthority ?? idp.authority,
      baseUrl: () => baseUrl as string,
      verifier,
      rbac,
      idp,
      roleDefinitions,
      roleAssignments,
      settings,
      jobs,
      backups,
      restoreGate: gate,
      jobRetryAfterSeconds: config.jobRetryAfterSeconds,
      audit,
      keys: domainServices.keyRoutes(),
      activation,
      securityDomain,
    }));
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const listenUrl = `https://${urlHost(config.host)}:${port}`;
    baseUrl ??= listenUrl;
    verifier.trust(idp.attach(baseUrl));

    const initialAdminFile = join(config.dataDir, "initial-admin.json");
    const urls = { tokenEndpoint: idp.tokenEndpoint, vaultUrl: baseUrl, caFile: tls.caFile ?? null };
    if (newAdminSecret) {
      await writeInitialAdminFile(initialAdminFile, { tenantId, ...newAdminSecret, ...urls });
    } else {
      await refreshInitialAdminFile(initialAdminFile, urls);
    }

    if (!activation.activated) console.warn(`mhsm: ${activation.notActivatedMessage}`);
    const running = app;
    return {
      url: baseUrl,
      listenUrl,
      port,
      caFile: tls.caFile,
      initialAdminFile,
      routes,
      async close() {
        await running.close();
        await domainServices.close();
        await runningJobs?.close();
        restoreGate?.stop();
        await changes?.close();
        await audit.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await domainServices.close().catch(() => undefined);
    await runningJobs?.close().catch(() => undefined);
    restoreGate?.stop();
    await changes?.close().catch(() => undefined);
    await audit.close();
    await store.close();
    throw error;
  }
}

/** The host part of the URL clients use: a wildcard bind is reached on loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return isIPv6(host) ? `[${host}]` : host;
}
