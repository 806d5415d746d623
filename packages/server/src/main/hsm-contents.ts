import { escrowNodeKey } from "../platform/barrier/node-key.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { JobRunner } from "../platform/jobs/job-runner.js";
import { loggableErrorLine } from "../platform/logging/loggable-error.js";
import type { MetricsRecorder } from "../platform/metrics/metrics-recorder.js";
import type { ChangeFeed } from "../platform/store/change-feed.js";
import { BackupService } from "../resources/backup/backup-service.js";
import { RestoreGate } from "../resources/backup/restore-gate.js";
import { createKeysModule } from "../resources/keys/index.js";
import { readOperatorRoot } from "../resources/keys/attestation/operator-root.js";
import { KeyNoticePublisher } from "../resources/keys/key-notices.js";
import { DomainServices } from "../resources/security-domain/domain-services.js";
import { HsmActivation } from "../resources/security-domain/hsm-activation.js";
import { SecurityDomainService } from "../resources/security-domain/security-domain-service.js";
import { SettingService } from "../resources/settings/setting-service.js";
import type { AccessControl } from "./access-control.js";
import type { HsmSecrets } from "./hsm-secrets.js";
import { loadOrCreateNodeId } from "./node-identity.js";
import type { Shutdown } from "./shutdown.js";

/**
 * What the HSM holds and runs: keys (built once it has its domain key), settings, backup and
 * restore jobs, and the activation that brings the domain key (from its file at start, or from
 * a security domain). The job runner and the restore gate start here; the keys' maintenance
 * timer starts at activation.
 */
export async function buildHsmContents(parts: {
  config: ServerConfig;
  secrets: HsmSecrets;
  access: AccessControl;
  changes: ChangeFeed;
  /** The URL clients use, once known (near-expiry events name it). */
  vaultUrl: () => string | undefined;
  shutdown: Shutdown;
  metrics: MetricsRecorder;
}) {
  const { config, secrets, access, changes, shutdown } = parts;
  const { store } = secrets;
  const notices = new KeyNoticePublisher({
    hsmName: config.hsmName,
    vaultUrl: parts.vaultUrl,
    webhookUrl: config.events.webhookUrl,
    log: (message) => console.warn(message),
  });
  const operatorRoot = await readOperatorRoot(config.attestationRootCert, config.attestationRootKey);
  const domainServices = shutdown.add(
    new DomainServices((domainKey) =>
      createKeysModule({
        store,
        domainKey,
        settings: config.keys,
        caches: {
          // A hot key needs both (settings.ts, cacheMemoryMb): 5/8 and 1/4, RBAC the last 1/8.
          materialBytes: (config.cacheMemoryMb * 1024 * 1024 * 5) / 8,
          lookupBytes: (config.cacheMemoryMb * 1024 * 1024) / 4,
        },
        onError: (message, error) => console.error(`mhsm: ${message}: ${loggableErrorLine(error)}`),
        changes,
        notices,
        metrics: parts.metrics,
        attestation: { hsmName: config.hsmName, operatorRoot },
        token: secrets.backend.token,
      }),
    ),
    (services) => services.close(),
  );
  const backups = new BackupService(store, domainServices.backupKeyring(), {
    hsmName: config.hsmName,
    localBackupRoots: config.localBackupRoots,
    rowsPerChunk: config.backupRowsPerChunk,
    storageIdentity: config.storageIdentity,
    storageBlobEndpoint: config.storageBlobEndpoint,
    afterRestoreInTransaction: (tx) => access.ensureAdministrators(tx),
    afterRestore: () => {
      access.rbac.invalidate();
      // Restores write the keys tables directly: cached key state is stale.
      domainServices.keys?.invalidateCaches();
    },
  });
  const restoreGate = shutdown.add(new RestoreGate(store), (gate) => gate.stop());
  if (secrets.database.dialect === "postgres") restoreGate.follow(changes);
  const jobs = shutdown.add(
    new JobRunner(store, backups.handlers(), {
      nodeId: await loadOrCreateNodeId(config.dataDir),
      leaseMs: config.jobLeaseSeconds * 1000,
      changes,
      metrics: parts.metrics,
      log: {
        error: (details, message) => console.error(`mhsm: ${message}`, details),
        warn: (m) => console.warn(m),
      },
    }),
    (runner) => runner.close(),
  );
  jobs.onJob((job, phase) => restoreGate.observe(job, phase));
  await jobs.start();

  const activation = new HsmActivation({
    store,
    barrier: secrets.barrier,
    storage: config.domainKeyStorage,
    keyFile: secrets.domainKeyFile,
    onActivated: async (domainKey) => {
      // From now on a node given only the domain key finds the node key in the store.
      await escrowNodeKey(store.meta, secrets.nodeKey, domainKey);
      domainServices.activate(domainKey);
    },
    log: (message) => console.warn(message),
  });
  await activation.load();
  if (secrets.startupDomainKey) await activation.activate(secrets.startupDomainKey, "start");
  const securityDomain = new SecurityDomainService(activation, {
    hsmName: config.hsmName,
    log: (message) => console.warn(message),
  });
  return {
    domainServices,
    settings: new SettingService(store),
    backups,
    restoreGate,
    jobs,
    activation,
    securityDomain,
  };
}
