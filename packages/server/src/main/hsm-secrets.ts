import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Barrier } from "../platform/barrier/barrier.js";
import { checkNodeKeyFitsStore, loadNodeKey } from "../platform/barrier/node-key.js";
import type { ServerConfig } from "../platform/config/server-config.js";
import { type OpenedDatabase, openDatabase } from "../platform/store/database.js";
import { loadServerTls } from "../platform/tls/server-tls.js";
import { SIGNING_KEY_META, loadOrCreateSigningKey } from "../resources/identity/signing-key.js";
import type { SigningKey } from "../resources/identity/signing-key.js";
import { domainKeyAtStart } from "../resources/security-domain/domain-key-at-start.js";
import { type HsmBackend, openHsmBackend } from "./hsm-backend.js";
import { type HsmStore, openHsmStore } from "./hsm-store.js";
import { resealUnderNodeKey } from "./node-key-migration.js";
import type { Shutdown } from "./shutdown.js";

/** The store and the keys that open it, with what the server needs before any request. */
export interface HsmSecrets {
  database: OpenedDatabase;
  store: HsmStore;
  /** Seals the HSM's contents: waits for the domain key (at start, or at activation). */
  barrier: Barrier;
  nodeKey: Buffer;
  /** The domain key, if this start has it (its file); undefined until a security domain activates the HSM. */
  startupDomainKey: Buffer | undefined;
  domainKeyFile: string;
  tenantId: string;
  signingKey: SigningKey;
  tls: Awaited<ReturnType<typeof loadServerTls>>;
  /** software, or the PKCS#11 token that holds the root of trust and the keys. */
  backend: HsmBackend;
}

/**
 * Two keys (barrier.ts). The node key seals what the server needs before it has a domain key
 * (TLS, the identity provider); the domain key seals the HSM's contents and comes from its file,
 * or later from a security domain download or upload (activation).
 */
export async function openHsmSecrets(config: ServerConfig, shutdown: Shutdown): Promise<HsmSecrets> {
  // First: with a token, the key files below are read through its root-of-trust key.
  const backend = await openHsmBackend(config, shutdown);
  const nodeBarrier = Barrier.awaitingNodeKey();
  const domainKeyFile = join(config.dataDir, "domain.key");
  const startupDomainKey = await domainKeyAtStart({
    activation: config.activation,
    storage: config.domainKeyStorage,
    keyFile: domainKeyFile,
  });
  const barrier = Barrier.awaitingDomainKey();
  const database = openDatabase(config.store, config.dataDir);
  const store = shutdown.add(
    await openHsmStore(database.db, barrier, database.dialect, nodeBarrier),
    (opened) => opened.close(),
  );
  const nodeKeyFile = join(config.dataDir, "node.key");
  const nodeKey = await loadNodeKey({ file: nodeKeyFile, meta: store.meta, domainKey: startupDomainKey });
  nodeBarrier.provideKey(nodeKey);
  await checkNodeKeyFitsStore(store.meta, nodeBarrier, nodeKeyFile, SIGNING_KEY_META);
  await resealUnderNodeKey({
    store,
    dataDir: config.dataDir,
    node: nodeBarrier,
    domainKey: startupDomainKey,
  });
  return {
    database,
    store,
    barrier,
    nodeKey,
    startupDomainKey,
    domainKeyFile,
    backend,
    tenantId: await store.meta.getOrInsert("tenantId", randomUUID()),
    signingKey: await loadOrCreateSigningKey(store.meta, nodeBarrier),
    tls: await loadServerTls({
      dataDir: config.dataDir,
      hsmName: config.hsmName,
      names: config.tlsNames,
      barrier: nodeBarrier,
      certFile: config.tlsCert,
      keyFile: config.tlsKey,
    }),
  };
}
