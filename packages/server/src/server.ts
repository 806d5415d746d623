import { randomUUID } from "node:crypto";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { AuditLog } from "./audit/audit-log.js";
import { CachingTokenVerifier } from "./auth/caching-token-verifier.js";
import { TokenVerifier } from "./auth/token-verifier.js";
import { RbacEngine } from "./authorization/rbac-engine.js";
import { Barrier } from "./barrier/barrier.js";
import { loadOrCreateDomainKey } from "./barrier/domain-key-file.js";
import type { ServerConfig } from "./config/server-config.js";
import { ensureDirectory } from "./data-directory.js";
import { createHttpApp } from "./http/app.js";
import { EmbeddedIdentityProvider, audiencesFor } from "./identity/embedded-identity-provider.js";
import { PrincipalService } from "./identity/principal-service.js";
import { loadOrCreateSigningKey } from "./identity/signing-key.js";
import { refreshInitialAdminFile, writeInitialAdminFile } from "./initial-admin.js";
import { RoleAssignmentService } from "./services/role-assignment-service.js";
import { RoleDefinitionService } from "./services/role-definition-service.js";
import { SettingService } from "./services/setting-service.js";
import { BackupKeyring } from "./backup/backup-format.js";
import { BackupService } from "./backup/backup-service.js";
import { RestoreGate } from "./backup/restore-gate.js";
import { JobRunner } from "./jobs/job-runner.js";
import { type KeysModule, createKeysModule } from "./keys/keys-module.js";
import { openSqliteDatabase } from "./store/sqlite-database.js";
import { Store } from "./store/store.js";
import { loadServerTls } from "./tls/server-tls.js";

export interface RunningServer {
  /** The vault URL clients use: --public-url, or https://host:port. */
  url: string;
  /** https://<bound address>:<port>: where the socket listens. */
  listenUrl: string;
  port: number;
  caFile: string | undefined;
  initialAdminFile: string;
  close(): Promise<void>;
}

const INITIAL_ADMIN_META = "initialAdmin.objectId";

/** The composition root: builds every layer from the configuration and starts listening. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  await ensureDirectory(config.dataDir);
  const { key: domainKey } = await loadOrCreateDomainKey(join(config.dataDir, "domain.key"));
  const barrier = Barrier.fromDomainKey(domainKey);
  const store = await Store.open(openSqliteDatabase(join(config.dataDir, "mhsm.db")), barrier);
  let app: FastifyInstance | undefined;
  let runningJobs: JobRunner | undefined;
  let keysModule: KeysModule | undefined;
  const audit = new AuditLog(join(config.dataDir, "audit.log"));
  try {
    const tenantId = await store.meta.getOrInsert("tenantId", randomUUID());
    const signingKey = await loadOrCreateSigningKey(store.meta, barrier);
    const tls = await loadServerTls({
      dataDir: config.dataDir,
      hsmName: config.hsmName,
      names: config.tlsNames,
      barrier,
      certFile: config.tlsCert,
      keyFile: config.tlsKey,
    });

    const rbac = new RbacEngine(store);
    const principals = new PrincipalService(store);
    const idp = new EmbeddedIdentityProvider(
      tenantId,
      signingKey,
      principals,
      config.resource,
      config.tokenLifetimeSeconds,
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
    const backups = new BackupService(store, new BackupKeyring(domainKey), {
      hsmName: config.hsmName,
      localBackupRoots: config.localBackupRoots,
      storageIdentity: config.storageIdentity,
      // A full restore replaces role assignments; administrators named in the configuration stay.
      afterRestoreInTransaction: ensureAdministrators,
      afterRestore: () => {
        rbac.invalidate();
        // Restores write the keys tables directly: cached key state is stale.
        keysModule?.invalidateCaches();
      },
    });
    const restoreGate = new RestoreGate();
    const jobs = new JobRunner(store, backups.handlers(), console);
    runningJobs = jobs;
    jobs.onJob((job, phase) => restoreGate.observe(job, phase));
    const interrupted = await jobs.failInterrupted();
    if (interrupted > 0)
      console.warn(`mhsm: ${interrupted} job(s) interrupted by the last shutdown were marked Failed`);
    keysModule = createKeysModule(store, domainKey, config.keys, (message, error) =>
      console.error(`mhsm: ${message}: ${error instanceof Error ? error.message : String(error)}`),
    );
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
    let newAdminSecret: { clientId: string; clientSecret: string; objectId: string } | undefined;
    if (!(await store.meta.get(INITIAL_ADMIN_META))) {
      const admin = await principals.create("initial-admin");
      await roleAssignments.ensureAdministrator(admin.objectId, randomUUID);
      await store.meta.getOrInsert(INITIAL_ADMIN_META, admin.objectId);
      newAdminSecret = admin;
    }
    for (const objectId of config.administrators)
      await roleAssignments.ensureAdministrator(objectId, randomUUID);

    let baseUrl = config.publicUrl?.replace(/\/+$/, "");
    app = createHttpApp({
      tls,
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
      restoreGate,
      jobRetryAfterSeconds: config.jobRetryAfterSeconds,
      audit,
      keys: keysModule.routes,
    });
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

    keysModule.start();
    const running = app;
    return {
      url: baseUrl,
      listenUrl,
      port,
      caFile: tls.caFile,
      initialAdminFile,
      async close() {
        await running.close();
        await keysModule?.close();
        await runningJobs?.close();
        await audit.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await keysModule?.close().catch(() => undefined);
    await runningJobs?.close().catch(() => undefined);
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
