import { resolve } from "node:path";
import { z } from "zod";
import { SETTINGS } from "./settings.js";

/**
 * Everything the server can be told, with its embedded defaults: the settings of settings.ts
 * (flags, environment variables, config-file keys) and the config file's nested settings.
 * load-server-config.ts merges flags, environment and file; this module validates the result
 * once, at start, so a bad value stops the server with a clear message instead of failing later.
 */
type Settings = typeof SETTINGS;
/** The settings that are top-level keys of their own (not a part of a file-only object). */
type TopLevelShape = {
  [Name in keyof Settings as Settings[Name] extends { file: string } ? never : Name]: Settings[Name]["type"];
};
const topLevelShape = Object.fromEntries(
  Object.entries(SETTINGS)
    .filter(([, setting]) => !("file" in setting))
    .map(([name, setting]) => [name, setting.type]),
) as TopLevelShape;

const trustedIssuerSchema = z.strictObject({
  issuer: SETTINGS.oidcIssuer.type,
  jwksUri: SETTINGS.oidcJwksUri.type,
  audiences: SETTINGS.oidcAudiences.type,
});

export const serverConfigSchema = z.strictObject({
  ...topLevelShape,
  trustedIssuers: z.array(trustedIssuerSchema).default([]),
  limits: z
    .strictObject({
      customRoleDefinitions: z.number().int().min(0).default(50),
      roleAssignmentsAtHsmScope: z.number().int().min(1).default(50),
      roleAssignmentsPerKeyScope: z.number().int().min(0).default(10),
    })
    .prefault({}),
  /** Largest accepted request body. */
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  tokenLifetimeSeconds: z.coerce.number().int().min(60).max(86400).default(3600),
  /**
   * Failed client-credentials attempts the token endpoint allows per (client id, source address)
   * and per source address in a window that refills (429 with Retry-After past them). Per address,
   * not per client id: an attacker's failures must not lock a real client out.
   */
  tokenThrottle: z
    .strictObject({
      failuresPerClientAndAddress: z.coerce.number().int().min(1).max(10_000).default(10),
      failuresPerAddress: z.coerce.number().int().min(1).max(100_000).default(30),
      windowSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
    })
    .prefault({}),
  keys: z
    .strictObject({
      /** Days a deleted key stays recoverable before the server purges it (Key Vault: 7 to 90). */
      softDeleteRetentionDays: z.coerce.number().int().min(7).max(90).default(90),
      /** With purge protection a deleted key cannot be purged before its retention ends. */
      purgeProtection: z.boolean().default(false),
      /** How often the server rotates keys that are due and purges expired deleted keys. */
      maintenanceIntervalSeconds: z.coerce.number().int().min(1).max(86400).default(60),
      /** Threads that do RSA and ECDSA signing (0: on the event loop); default: one per CPU. */
      signingThreads: z.coerce.number().int().min(0).max(64).optional(),
      /**
       * Longest a node reuses a key state it read while its change feed is silent. Key writes
       * reach every node at once through the change feed, and a cached lookup is kept until its
       * key changes while the feed's heartbeat returns; this bounds how late a change is seen
       * if the feed stops delivering.
       */
      lookupCacheSeconds: z.coerce.number().min(0).max(3600).default(1),
    })
    .prefault({}),
  /**
   * Where the HSM's events go: a rotation policy's Notify action POSTs a
   * Microsoft.KeyVault.KeyNearExpiry event (Event Grid schema) here. The URL may carry a secret
   * (a function key): give it in the config file or environment, never on a shared command line.
   */
  events: z.strictObject({ webhookUrl: z.url({ protocol: /^https?$/ }).optional() }).prefault({}),
  audit: z
    .strictObject({ format: SETTINGS.auditFormat.type, resourceId: SETTINGS.auditResourceId.type })
    .prefault({}),
  metrics: z
    .strictObject({ address: SETTINGS.metricsAddress.type, token: SETTINGS.metricsToken.type })
    .prefault({}),
  /**
   * The server's own credential for Azure Storage, used when a backup or restore request says
   * useManagedIdentity (the role a Managed HSM's managed identity plays). The key is a secret:
   * give it in the config file or environment, never on a shared command line.
   */
  storageIdentity: z
    .strictObject({
      accountName: SETTINGS.storageAccountName.type,
      accountKey: SETTINGS.storageAccountKey.type,
    })
    .optional(),
  /** Secure key release: trusted attestation authorities, fetch timeout, the test authority. */
  attestation: z
    .strictObject({
      authorities: SETTINGS.attestationAuthorities.type,
      timeoutSeconds: SETTINGS.attestationTimeoutSeconds.type,
      testAuthority: SETTINGS.testAttestationAuthority.type,
    })
    .prefault({}),
  /** The PKCS#11 token of --hsm-backend pkcs11 (docs/pkcs11.md). */
  pkcs11: z
    .strictObject({
      module: SETTINGS.pkcs11Module.type,
      tokenLabel: SETTINGS.pkcs11TokenLabel.type,
      slot: SETTINGS.pkcs11Slot.type,
      pinFile: SETTINGS.pkcs11PinFile.type,
      pin: SETTINGS.pkcs11Pin.type,
    })
    .prefault({}),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** Not a Key Vault answer: a configuration that stops the server at start-up, before it listens. */
export class ConfigError extends Error {}

export function parseServerConfig(input: unknown): ServerConfig {
  const result = serverConfigSchema.safeParse(withHsmHostname(input));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join(".") : "configuration";
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const config = result.data;
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError("invalid configuration: tlsCert and tlsKey go together");
  }
  if ((config.attestationRootCert === undefined) !== (config.attestationRootKey === undefined)) {
    throw new ConfigError("invalid configuration: attestationRootCert and attestationRootKey go together");
  }
  if (config.headersTimeoutSeconds > config.requestTimeoutSeconds) {
    throw new ConfigError(
      "invalid configuration: headersTimeoutSeconds must not exceed requestTimeoutSeconds (the headers are part of the request)",
    );
  }
  if (config.domainKeyStorage === "sealed" && config.activation !== "security-domain") {
    throw new ConfigError(
      "invalid configuration: domainKeyStorage 'sealed' needs activation 'security-domain' (a key made automatically and never written would be lost at the first restart)",
    );
  }
  checkPkcs11Config(config);
  const dataDir = resolve(config.dataDir);
  const localBackupRoots =
    config.localBackupRoots.length > 0
      ? config.localBackupRoots.map((root) => resolve(root))
      : [resolve(dataDir, "backups")];
  return { ...config, dataDir, localBackupRoots };
}

/**
 * --hsm-hostname <name> stands for the settings it implies, where they are not given: the public
 * URL https://<name>:<port>, <name> among the certificate's names, and the resource
 * https://<parent domain>:<port>, so the vault's host ends with "." + the resource's host (JS and
 * .NET compare host names, Python host:port) and the SDKs need no disabled challenge check.
 */
function withHsmHostname(input: unknown): unknown {
  if (typeof input !== "object" || input === null) return input;
  const given = input as Record<string, unknown>;
  const name = SETTINGS.hsmHostname.type.safeParse(given.hsmHostname);
  if (!name.success || name.data === undefined) return input;
  const hostname = name.data.toLowerCase();
  const derived: Record<string, unknown> = { ...given };
  let port: string;
  if (typeof given.publicUrl === "string") {
    port = URL.canParse(given.publicUrl) ? new URL(given.publicUrl).port : "";
  } else {
    const listenPort = SETTINGS.port.type.safeParse(given.port);
    if (!listenPort.success) return input; // the schema reports the bad port
    if (listenPort.data === 0) {
      throw new ConfigError(
        "invalid configuration: hsmHostname needs a fixed port (or publicUrl): the URL and the resource name it",
      );
    }
    port = listenPort.data === 443 ? "" : String(listenPort.data);
    derived.publicUrl = `https://${hostname}${port ? `:${port}` : ""}`;
  }
  if (given.resource === undefined) {
    derived.resource = `https://${hostname.slice(hostname.indexOf(".") + 1)}${port ? `:${port}` : ""}`;
  }
  const names = Array.isArray(given.tlsNames) ? (given.tlsNames as unknown[]) : [];
  if (!names.some((n) => typeof n === "string" && n.toLowerCase() === hostname)) {
    derived.tlsNames = [...names, hostname];
  }
  return derived;
}

/** --hsm-backend pkcs11 needs a module, one token (label or slot) and one PIN source. */
function checkPkcs11Config(config: ServerConfig): void {
  const { module, tokenLabel, slot, pinFile, pin } = config.pkcs11;
  if (config.hsmBackend !== "pkcs11") return;
  if (module === undefined) {
    throw new ConfigError(
      "invalid configuration: --hsm-backend pkcs11 needs --pkcs11-module (the token's .so)",
    );
  }
  if ((tokenLabel === undefined) === (slot === undefined)) {
    throw new ConfigError(
      "invalid configuration: --hsm-backend pkcs11 needs exactly one of --pkcs11-token-label and --pkcs11-slot",
    );
  }
  if ((pinFile === undefined) === (pin === undefined)) {
    throw new ConfigError(
      "invalid configuration: --hsm-backend pkcs11 needs exactly one of MHSM_PKCS11_PIN and --pkcs11-pin-file",
    );
  }
}
