import { isIPv6 } from "node:net";
import { join } from "node:path";
import type { ServerConfig } from "../platform/config/server-config.js";
import { ensureDirectory } from "../platform/config/data-directory.js";
import { createHttpApp } from "../platform/http/app.js";
import type { DeclaredRoute } from "../platform/http/route-registry.js";
import { PrometheusMetrics } from "../platform/metrics/prometheus-metrics.js";
import { LocalChangeFeed, PostgresChangeFeed } from "../platform/store/change-feed.js";
import { backupModule, restoreInProgressGate } from "../resources/backup/index.js";
import { identityModule } from "../resources/identity/index.js";
import { keysResource } from "../resources/keys/index.js";
import { rbacModule } from "../resources/rbac/index.js";
import { notActivatedGate, securityDomainModule } from "../resources/security-domain/index.js";
import { settingsModule } from "../resources/settings/index.js";
import { buildAccessControl } from "./access-control.js";
import { buildHsmContents } from "./hsm-contents.js";
import { keyReleaseModules } from "./key-release.js";
import { openHsmSecrets } from "./hsm-secrets.js";
import { refreshInitialAdminFile, writeInitialAdminFile } from "./initial-admin.js";
import { openAuditLog, operationalModules } from "./observability.js";
import { seedHsm } from "./seed/index.js";
import { auditSeedWrites } from "./seed/seed-audit.js";
import { Shutdown } from "./shutdown.js";

export interface RunningServer {
  /** The vault URL clients use: --public-url, or https://host:port. */
  url: string;
  /** https://<bound address>:<port>: where the socket listens. */
  listenUrl: string;
  port: number;
  caFile: string | undefined;
  initialAdminFile: string;
  /** http://host:port/metrics when metrics.address gives /metrics a listener of its own. */
  metricsUrl: string | undefined;
  /** The route table (methods, URLs, data actions, scopes, schemas): what tests walk. */
  routes: readonly DeclaredRoute[];
  close(): Promise<void>;
}

/**
 * The composition root: opens the store and its keys, builds access control and the HSM's
 * contents, hands the HTTP app its resources as modules, and listens. Whatever was opened is
 * closed once, in reverse order: by close(), or at once if start-up fails partway.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  await ensureDirectory(config.dataDir);
  const shutdown = new Shutdown();
  try {
    const secrets = await openHsmSecrets(config, shutdown);
    // Known once the server listens (its port may be chosen then), unless configured.
    let baseUrl = config.publicUrl?.replace(/\/+$/, "");
    const metrics = new PrometheusMetrics();
    const audit = shutdown.add(
      openAuditLog(config, metrics, () => baseUrl),
      (log) => log.close(),
    );
    const { database } = secrets;
    const changes = shutdown.add(
      database.dialect === "postgres" && database.connectionString
        ? await PostgresChangeFeed.connect(
            database.connectionString,
            (message) => console.warn(`mhsm: ${message}`),
            metrics,
          )
        : new LocalChangeFeed(),
      (feed) => feed.close(),
    );
    const access = buildAccessControl(config, secrets, changes, metrics);
    const hsm = await buildHsmContents({
      config,
      secrets,
      access,
      changes,
      vaultUrl: () => baseUrl,
      shutdown,
      metrics,
    });
    const newAdministrator = await access.makeInitialAdministrator();
    // Before the port opens: a bad seed stops the start, and no client sees a half-seeded HSM.
    const seeded = config.seed
      ? await seedHsm(config.seed, config.dataDir, {
          principalStore: secrets.store,
          principalsChanged: () => access.idp.principals.live.invalidate(),
          roleDefinitions: access.roleDefinitions,
          roleAssignments: access.roleAssignments,
          settings: hsm.settings,
          keys: hsm.domainServices.keys?.routes.keys,
          recordWrite: auditSeedWrites(audit),
        })
      : undefined;

    const gates = [
      notActivatedGate(hsm.activation),
      restoreInProgressGate(hsm.restoreGate, config.jobRetryAfterSeconds),
    ];
    const operational = await operationalModules({
      config,
      metrics,
      gates,
      pingStore: () => secrets.store.meta.get("readiness-probe"),
      audit,
      shutdown,
    });
    const { app, routes } = createHttpApp({
      tls: secrets.tls,
      connections: connectionLimits(config),
      bodyLimitBytes: config.bodyLimitBytes,
      logLevel: config.logLevel,
      resource: config.resource,
      challengeAuthority: () => config.challengeAuthority ?? access.idp.authority,
      baseUrl: () => baseUrl as string,
      verifier: access.verifier,
      rbac: access.rbac,
      audit,
      metrics,
      gates,
      modules: [
        ...operational.modules,
        identityModule(access.idp, config.listPageSize),
        rbacModule({ ...access, listPageSize: config.listPageSize }),
        settingsModule(hsm.settings),
        backupModule({
          jobs: hsm.jobs,
          backups: hsm.backups,
          retryAfterSeconds: config.jobRetryAfterSeconds,
        }),
        keysResource(hsm.domainServices.keyRoutes()),
        securityDomainModule(hsm.securityDomain, config.jobRetryAfterSeconds),
        ...keyReleaseModules(config, secrets, hsm.domainServices.keyRoutes()),
      ],
    });
    shutdown.add(app, (opened) => opened.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const listenUrl = `https://${urlHost(config.host)}:${port}`;
    baseUrl ??= listenUrl;
    access.verifier.trust(access.idp.attach(baseUrl));

    const initialAdminFile = join(config.dataDir, "initial-admin.json");
    const urls = {
      tokenEndpoint: access.idp.tokenEndpoint,
      vaultUrl: baseUrl,
      caFile: secrets.tls.caFile ?? null,
    };
    if (newAdministrator) {
      await writeInitialAdminFile(initialAdminFile, {
        tenantId: secrets.tenantId,
        ...newAdministrator,
        ...urls,
      });
    } else {
      await refreshInitialAdminFile(initialAdminFile, urls);
    }
    await seeded?.writeCredentials({ tenantId: secrets.tenantId, ...urls });
    if (!hsm.activation.activated) console.warn(`mhsm: ${hsm.activation.notActivatedMessage}`);
    return {
      url: baseUrl,
      listenUrl,
      port,
      caFile: secrets.tls.caFile,
      initialAdminFile,
      metricsUrl: operational.metricsUrl,
      routes,
      close: () => shutdown.close(),
    };
  } catch (error) {
    await shutdown.close();
    throw error;
  }
}

function connectionLimits(config: ServerConfig) {
  return {
    tlsHandshakeTimeoutMs: Math.round(config.tlsHandshakeTimeoutSeconds * 1000),
    headersTimeoutMs: Math.round(config.headersTimeoutSeconds * 1000),
    requestTimeoutMs: Math.round(config.requestTimeoutSeconds * 1000),
    keepAliveTimeoutMs: Math.round(config.keepAliveTimeoutSeconds * 1000),
    idleTimeoutMs: Math.round(config.idleTimeoutSeconds * 1000),
    maxConnections: config.maxConnections,
  };
}

/** The host part of the URL clients use: a wildcard bind is reached on loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return isIPv6(host) ? `[${host}]` : host;
}
