import { resolve } from "node:path";
import { z } from "zod";

/**
 * Everything the server can be told, with its embedded defaults. Flags, environment variables
 * and an optional JSON file are merged by the CLI; this module validates the result once, at
 * start, so a bad value stops the server with a clear message instead of failing later.
 */
const trustedIssuerSchema = z.strictObject({
  /** The `iss` claim, exactly, e.g. https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer: z.url(),
  /** Where the issuer publishes its signing keys. */
  jwksUri: z.url(),
  /** Accepted `aud` values; defaults to the server's resource. */
  audiences: z.array(z.string().min(1)).min(1).optional(),
});

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

export const serverConfigSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8443),
  dataDir: z.string().min(1).default("./.mhsm"),
  hsmName: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "must be 3-24 letters, digits and hyphens")
    .default("mhsm"),
  /** The URL clients use, when it differs from https://<host>:<port> (a DNS name, a load balancer). */
  publicUrl: z.url().optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /** Extra DNS names or IP addresses for the generated server certificate. */
  tlsNames: z.array(z.string().min(1)).default([]),
  /** Object ids (of any trusted issuer) given the Managed HSM Administrator role at "/" on every start. */
  administrators: z.array(guid).default([]),
  /** The token audience and the challenge's `resource`; a real Managed HSM uses this value. */
  resource: z.url().default("https://managedhsm.azure.net"),
  trustedIssuers: z.array(trustedIssuerSchema).default([]),
  /**
   * The `authorization` the challenge names (an authority URL with the tenant as its path, e.g.
   * https://login.microsoftonline.com/<tenant>). Default: the embedded identity provider.
   */
  challengeAuthority: z.url().optional(),
  limits: z
    .strictObject({
      customRoleDefinitions: z.number().int().min(0).default(50),
      roleAssignmentsAtHsmScope: z.number().int().min(1).default(50),
      roleAssignmentsPerKeyScope: z.number().int().min(0).default(10),
    })
    .prefault({}),
  /** Items per page of a list before a nextLink is returned. */
  listPageSize: z.coerce.number().int().min(1).max(1000).default(100),
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
  /** TCP accept to finished TLS handshake: a hard deadline (a silent or trickling client is cut off). */
  tlsHandshakeTimeoutSeconds: z.coerce.number().min(0.1).max(600).default(10),
  /** A request's first byte to the end of its headers. */
  headersTimeoutSeconds: z.coerce.number().min(0.1).max(600).default(10),
  /** A request's first byte to the end of its body (at least headersTimeoutSeconds). */
  requestTimeoutSeconds: z.coerce.number().min(0.1).max(3600).default(30),
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutSeconds: z.coerce.number().min(0.1).max(600).default(5),
  /** A connection with no traffic either way (a client that stops reading) is closed after this. */
  idleTimeoutSeconds: z.coerce.number().min(0.1).max(3600).default(30),
  /** Connections held at once; more are closed as soon as they are accepted. */
  maxConnections: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  keys: z
    .strictObject({
      /** Days a deleted key stays recoverable before the server purges it (Key Vault: 7 to 90). */
      softDeleteRetentionDays: z.coerce.number().int().min(7).max(90).default(90),
      /** With purge protection a deleted key cannot be purged before its retention ends. */
      purgeProtection: z.boolean().default(false),
      /** How often the server rotates keys that are due and purges expired deleted keys. */
      maintenanceIntervalSeconds: z.coerce.number().int().min(1).max(86400).default(60),
      /** Threads that do RSA signing (0: on the event loop); default: one per CPU. */
      signingThreads: z.coerce.number().int().min(0).max(64).optional(),
      /**
       * Longest a node reuses a key state it read. Key writes reach every node at once through
       * the change feed; this bounds how late one is seen if a notification is lost.
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
  /**
   * The server's own credential for Azure Storage, used when a backup or restore request says
   * useManagedIdentity (the role a Managed HSM's managed identity plays). A secret: give it in
   * the config file or environment, never on a shared command line.
   */
  storageIdentity: z
    .strictObject({ accountName: z.string().min(1), accountKey: z.string().min(1) })
    .optional(),
  /**
   * The blob endpoint of storageIdentity's account: the only place that credential is sent.
   * Default https://<accountName>.blob.core.windows.net; an emulator's, e.g.
   * http://127.0.0.1:10000/devstoreaccount1 for Azurite.
   */
  storageBlobEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Folders a file: backup URL may point into; default: <dataDir>/backups. */
  localBackupRoots: z.array(z.string().min(1)).default([]),
  /**
   * Where the HSM's state lives: "sqlite" (the embedded default, one file in the data directory)
   * or a postgres:// URL that several server nodes share.
   */
  store: z
    .string()
    .default("sqlite")
    .refine(
      (value) => value === "sqlite" || /^postgres(ql)?:\/\/.+/.test(value),
      "must be 'sqlite' or a postgres:// URL",
    ),
  /**
   * How long a node may act on cached role grants. Role changes reach every node through the
   * change feed within milliseconds; this bounds staleness if a notification is lost.
   */
  rbacCacheSeconds: z.coerce.number().int().min(0).max(3600).default(5),
  /** How long a node's claim on a running job lasts without renewal; another node fails the job after it. */
  jobLeaseSeconds: z.coerce.number().int().min(2).max(600).default(15),
  /**
   * "auto" (the embedded default, a development convenience): the domain key is made on first
   * start. "security-domain": the HSM answers "not activated" until an administrator downloads
   * its security domain (or uploads an existing one).
   */
  activation: z.enum(["auto", "security-domain"]).default("auto"),
  /**
   * Where the domain key lives between restarts: "file" (<dataDir>/domain.key) or "sealed"
   * (nowhere: after every start the HSM waits for its security domain to be uploaded).
   */
  domainKeyStorage: z.enum(["file", "sealed"]).default("file"),
  /** Retry-After on long-running operations, in seconds. */
  jobRetryAfterSeconds: z.coerce.number().int().min(1).max(60).default(1),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "silent"]).default("info"),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

export class ConfigError extends Error {}

export function parseServerConfig(input: unknown): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
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
  const dataDir = resolve(config.dataDir);
  const localBackupRoots =
    config.localBackupRoots.length > 0
      ? config.localBackupRoots.map((root) => resolve(root))
      : [resolve(dataDir, "backups")];
  return { ...config, dataDir, localBackupRoots };
}
