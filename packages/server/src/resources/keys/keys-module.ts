import { Barrier, deriveKey } from "../../platform/barrier/barrier.js";
import type { Pkcs11Token } from "../../platform/pkcs11/pkcs11-token.js";
import { TokenKeys } from "../../platform/pkcs11/token-keys.js";
import { TokenKeyCrypto } from "./crypto/token-key-crypto.js";
import { SOFTWARE_KEYS, tokenKeySource } from "./key-generation.js";
import { isTokenMaterial } from "./key-material.js";
import { type MetricsRecorder, NO_METRICS } from "../../platform/metrics/metrics-recorder.js";
import type { ChangeFeed } from "../../platform/store/change-feed.js";
import { CountedKeyCryptoService } from "./counted-key-crypto-service.js";
import type { KeyStore } from "./key-repository.js";
import { availableParallelism } from "node:os";
import { SignerPool } from "./crypto/signer-pool.js";
import { InlineSigner, type PrivateKeySigner } from "./crypto/private-key-signer.js";
import { DeletedKeyService } from "./deleted-key-service.js";
import { KeyBackupService } from "./key-backup-service.js";
import { KeyLookup } from "./key-lookup.js";
import { KeyMaintenance } from "./key-maintenance.js";
import { KeyMaterialCache } from "./key-material-cache.js";
import type { KeyNearExpiryNotices } from "./key-notices.js";
import type { KeyRouteServices } from "./key-route-support.js";
import { KeyService } from "./key-service.js";
import type { CertifiedKeyPem } from "./attestation/attestation-certificates.js";
import { loadOrCreateAttestationIdentity } from "./attestation/hsm-attestation-identity.js";
import { KeyAttestationService } from "./attestation/key-attestation-service.js";

export interface KeysSettings {
  softDeleteRetentionDays: number;
  purgeProtection: boolean;
  maintenanceIntervalSeconds: number;
  signingThreads?: number | undefined;
  /** Longest a node reuses a key state it read, should a change notification be lost. */
  lookupCacheSeconds: number;
}

/** Memory for the keys' caches (opened material, lookups), in bytes. */
export interface KeysCacheBudget {
  materialBytes: number;
  lookupBytes: number;
}

export interface KeysModule {
  routes: KeyRouteServices;
  maintenance: KeyMaintenance;
  /** Drops cached key state: after something other than these services changed the keys tables. */
  invalidateCaches(): void;
  /** Starts the maintenance timer (scheduled rotation, Notify, purge of expired deleted keys). */
  start(): void;
  close(): Promise<void>;
}

export interface KeysModuleParts {
  store: KeyStore;
  domainKey: Buffer;
  settings: KeysSettings;
  /** Absent: 160 MiB for opened material and 64 MiB for lookups (the default 256 MiB's shares). */
  caches?: KeysCacheBudget | undefined;
  onError: (message: string, error: unknown) => void;
  /** Key writes announced to, and heard from, the other nodes. */
  changes?: ChangeFeed | undefined;
  /** Where a rotation policy's Notify action goes. */
  notices?: KeyNearExpiryNotices | undefined;
  /** Crypto operations by algorithm and key type. */
  metrics?: MetricsRecorder | undefined;
  /** Key attestation: the HSM's name (in its certificates) and the operator's root, if any. */
  attestation?: { hsmName: string; operatorRoot?: CertifiedKeyPem | undefined } | undefined;
  /** --hsm-backend pkcs11: the token new keys are made in and used from. */
  token?: Pkcs11Token | undefined;
}

/** Builds the keys services over the store, for the composition root (main/hsm-contents.ts). */
export function createKeysModule({
  store,
  domainKey,
  settings,
  caches = { materialBytes: 160 * 1024 * 1024, lookupBytes: 64 * 1024 * 1024 },
  onError,
  changes,
  notices,
  metrics,
  attestation: attestationOptions = { hsmName: "mhsm" },
  token,
}: KeysModuleParts): KeysModule {
  const tokenKeys = token ? new TokenKeys(token, domainKey) : undefined;
  const softDelete = {
    retentionDays: settings.softDeleteRetentionDays,
    purgeProtection: settings.purgeProtection,
  };
  // A signing thread per core: the event loop (HTTPS, tokens, RBAC) is not busy all the time,
  // and with a core kept for it alone, a 2-core machine signed on one core only (npm run bench:
  // about 10% fewer RSA signatures per second than with two signing threads).
  const threads = settings.signingThreads ?? availableParallelism();
  const signer: PrivateKeySigner = threads > 0 ? new SignerPool(threads) : new InlineSigner();
  const materialCache = new KeyMaterialCache(
    store.keys,
    caches.materialBytes,
    (material) => {
      if (material.kty !== "oct-HSM" && !isTokenMaterial(material)) signer.forget(material.privateKey);
    },
    tokenKeys ? (name) => destroyTokenObjects(tokenKeys, name, onError) : undefined,
  );
  const lookup = new KeyLookup(store, settings.lookupCacheSeconds * 1000, caches.lookupBytes);
  if (changes) lookup.follow(changes);
  const keys = new KeyService(
    store,
    lookup,
    undefined,
    undefined,
    tokenKeys ? tokenKeySource(tokenKeys) : SOFTWARE_KEYS,
  );
  const deletedKeys = new DeletedKeyService(store, softDelete, materialCache, lookup);
  const crypto = new CountedKeyCryptoService(
    metrics ?? NO_METRICS,
    lookup,
    materialCache,
    signer,
    undefined,
    new TokenKeyCrypto(tokenKeys),
  );
  // Its own key: a single-key backup blob is sealed under nothing else the domain key protects.
  const backups = new KeyBackupService(store, lookup, deriveKey(domainKey, "mhsm single-key backup v1"));
  // The attestation identity is HSM content: sealed under the domain key, shared by every node.
  const attestation = new KeyAttestationService(() =>
    loadOrCreateAttestationIdentity(store.meta, Barrier.fromDomainKey(domainKey), attestationOptions),
  );
  const maintenance = new KeyMaintenance(store, keys, deletedKeys, onError, notices);
  return {
    routes: { keys, deletedKeys, crypto, backups, softDelete, attestation },
    maintenance,
    invalidateCaches: () => lookup.invalidate(),
    start: () => maintenance.start(settings.maintenanceIntervalSeconds * 1000),
    async close() {
      await maintenance.stop();
      await signer.close();
    },
  };
}

/** A purged key's token objects go with it; a token that is away now is told in the log. */
function destroyTokenObjects(
  tokenKeys: TokenKeys,
  name: string,
  onError: (message: string, error: unknown) => void,
): void {
  tokenKeys
    .destroyAll(name)
    .catch((error: unknown) => onError(`the token objects of purged key ${name} remain`, error));
}
