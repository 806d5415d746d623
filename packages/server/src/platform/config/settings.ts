import { z } from "zod";
import { GUID_PATTERN } from "../errors/guid.js";

/**
 * The server's settings that may be given as a flag of `mhsm serve` or an MHSM_* environment
 * variable, each declared once: its zod type and default, its flag, environment variable and
 * config-file key, and the one line `--help` and README.md's Configuration table show. The
 * server's schema (server-config.ts), the merge of flags, environment and file
 * (load-server-config.ts), the CLI's options and the README table are all derived from this list.
 *
 * This module imports nothing but zod (and guid.ts, which imports nothing): the CLI loads it (as @mhsm/server/config-settings) to
 * build the options of `serve` and `migrate` without loading the server.
 */
export interface Setting {
  /**
   * Where the value goes in the configuration (the config file's key). Absent: the setting's
   * name. A dotted path is a part of a file-only object (storageIdentity.accountName);
   * `trustedIssuers[].…` settings together make one more trusted issuer.
   */
  file?: string;
  /** The flag of `mhsm serve`; absent for secrets, which come from the environment or the file only. */
  flag?: `--${string}`;
  /** The flag's value in `--help`, e.g. `<seconds>`; `[...]`: optional (the bare flag means on). */
  value?: `<${string}>` | `[${string}]`;
  /** The environment variable. */
  env?: `MHSM_${string}`;
  /** A list: the flag may be repeated and the environment variable holds comma-separated values. */
  repeats?: true;
  /**
   * An empty flag or variable counts as not given (a deployment's blank MHSM_STORAGE_* or
   * MHSM_OIDC_* variables are no error); otherwise an empty value is validated like any other.
   */
  emptyIsUnset?: true;
  /** One line for `--help` and the README table, without the default. */
  description: string;
  /** The default in words, where the type has none (it is worked out at start); README markdown. */
  defaultText?: string;
  /** Validation, coercion from a flag's or variable's text, and the default. */
  type: z.ZodType;
}

const seconds = (min: number, max: number, fallback: number) =>
  z.coerce.number().min(min).max(max).default(fallback);

const guid = z.string().regex(GUID_PATTERN, "must be a GUID");

export const SETTINGS = {
  host: {
    flag: "--host",
    value: "<address>",
    env: "MHSM_HOST",
    description: "address to listen on",
    type: z.string().min(1).default("127.0.0.1"),
  },
  port: {
    flag: "--port",
    value: "<port>",
    env: "MHSM_PORT",
    description: "port to listen on; 0 picks a free one",
    type: z.coerce.number().int().min(0).max(65535).default(8443),
  },
  dataDir: {
    flag: "--data-dir",
    value: "<dir>",
    env: "MHSM_DATA_DIR",
    description: "data directory (database, keys, CA, initial administrator)",
    type: z.string().min(1).default("./.mhsm"),
  },
  hsmName: {
    flag: "--hsm-name",
    value: "<name>",
    env: "MHSM_HSM_NAME",
    description: "the HSM's name",
    type: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "must be 3-24 letters, digits and hyphens")
      .default("mhsm"),
  },
  /** The URL clients use, when it differs from https://<host>:<port> (a DNS name, a load balancer). */
  publicUrl: {
    flag: "--public-url",
    value: "<url>",
    env: "MHSM_PUBLIC_URL",
    description: "the URL clients use, behind a proxy or load balancer",
    defaultText: "`https://<host>:<port>`",
    type: z.url().optional(),
  },
  /**
   * The HSM's DNS name, e.g. myhsm.managedhsm.localhost: one setting for the three the SDKs'
   * challenge check needs to agree (the vault's host ends with "." + the resource's host). It
   * sets publicUrl (https://<name>:<port>), adds the name to tlsNames and sets resource to its
   * parent domain (https://managedhsm.localhost:<port>; Python compares host and port), unless
   * those are given themselves.
   */
  hsmHostname: {
    flag: "--hsm-hostname",
    value: "<name>",
    env: "MHSM_HSM_HOSTNAME",
    description:
      "the HSM's DNS name, e.g. myhsm.managedhsm.localhost; sets --public-url, --tls-name and --resource to match it, so SDKs pass their challenge check",
    type: z
      .string()
      .regex(
        /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/,
        "must be a DNS name of two labels or more, e.g. myhsm.managedhsm.localhost",
      )
      .optional(),
  },
  tlsCert: {
    flag: "--tls-cert",
    value: "<file>",
    env: "MHSM_TLS_CERT",
    description: "PEM certificate to serve instead of the generated one",
    defaultText: "generated",
    type: z.string().min(1).optional(),
  },
  tlsKey: {
    flag: "--tls-key",
    value: "<file>",
    env: "MHSM_TLS_KEY",
    description: "PEM private key for --tls-cert",
    defaultText: "generated",
    type: z.string().min(1).optional(),
  },
  /** Extra DNS names or IP addresses for the generated server certificate. */
  tlsNames: {
    flag: "--tls-name",
    value: "<name>",
    env: "MHSM_TLS_NAMES",
    repeats: true,
    description: "extra DNS name or IP for the generated certificate",
    type: z.array(z.string().min(1)).default([]),
  },
  /** Object ids (of any trusted issuer) given the Managed HSM Administrator role at "/" on every start. */
  administrators: {
    flag: "--administrator",
    value: "<objectId>",
    env: "MHSM_ADMINISTRATORS",
    repeats: true,
    description: "object id given the Administrator role at / on every start",
    type: z.array(guid).default([]),
  },
  /** What the HSM should hold: principals, roles, assignments, keys, settings (README's Seeding). */
  seed: {
    flag: "--seed",
    value: "<file>",
    env: "MHSM_SEED",
    description: "JSON seed file applied at every start, idempotently (see Seeding)",
    type: z.string().min(1).optional(),
  },
  /** The token audience and the challenge's `resource`; a real Managed HSM uses this value. */
  resource: {
    flag: "--resource",
    value: "<url>",
    env: "MHSM_RESOURCE",
    description: "token audience and challenge resource",
    type: z.url().default("https://managedhsm.azure.net"),
  },
  /**
   * The `authorization` the challenge names (an authority URL with the tenant as its path, e.g.
   * https://login.microsoftonline.com/<tenant>).
   */
  challengeAuthority: {
    flag: "--challenge-authority",
    value: "<url>",
    env: "MHSM_CHALLENGE_AUTHORITY",
    description: "authority named in the 401 challenge",
    defaultText: "the embedded identity provider",
    type: z.url().optional(),
  },
  /** The `iss` claim, exactly, e.g. https://login.microsoftonline.com/<tenant>/v2.0 */
  oidcIssuer: {
    file: "trustedIssuers[].issuer",
    flag: "--oidc-issuer",
    value: "<url>",
    env: "MHSM_OIDC_ISSUER",
    emptyIsUnset: true,
    description: "trust tokens from this OIDC issuer (exact iss), e.g. Entra ID",
    type: z.url(),
  },
  /** Where the issuer publishes its signing keys. */
  oidcJwksUri: {
    file: "trustedIssuers[].jwksUri",
    flag: "--oidc-jwks-uri",
    value: "<url>",
    env: "MHSM_OIDC_JWKS_URI",
    emptyIsUnset: true,
    description: "the signing keys of --oidc-issuer",
    type: z.url(),
  },
  /** Accepted `aud` values; defaults to the server's resource. */
  oidcAudiences: {
    file: "trustedIssuers[].audiences",
    flag: "--oidc-audience",
    value: "<aud>",
    env: "MHSM_OIDC_AUDIENCES",
    repeats: true,
    emptyIsUnset: true,
    description: "accepted audience of --oidc-issuer's tokens",
    defaultText: "the resource",
    type: z.array(z.string().min(1)).min(1).optional(),
  },
  /**
   * Where the HSM's state lives: "sqlite" (the embedded default, one file in the data directory)
   * or a postgres:// URL that several server nodes share.
   */
  store: {
    flag: "--store",
    value: "<store>",
    env: "MHSM_STORE",
    description: "'sqlite' (in the data directory) or a postgres:// URL shared by nodes",
    type: z
      .string()
      .default("sqlite")
      .refine(
        (value) => value === "sqlite" || /^postgres(ql)?:\/\/.+/.test(value),
        "must be 'sqlite' or a postgres:// URL",
      ),
  },
  /**
   * How long a node may act on cached role grants while its change feed is silent. Role changes
   * reach every node through the change feed within milliseconds, and cached grants are kept
   * while the feed's heartbeat returns; this bounds staleness if the feed stops delivering.
   */
  rbacCacheSeconds: {
    flag: "--rbac-cache-seconds",
    value: "<seconds>",
    env: "MHSM_RBAC_CACHE_SECONDS",
    description: "longest a node acts on cached role grants if its change feed falls silent",
    type: z.coerce.number().int().min(0).max(3600).default(5),
  },
  /**
   * Memory for the caches that keep a request on a key off the database and out of OpenSSL's
   * key parser: five eighths for opened key material, a quarter for key lookups, an eighth for RBAC
   * decisions. Bounded by memory, not by a count of keys (an RSA-4096 key takes three times an
   * EC key's room). A hot key takes room in both of the first two (an EC P-256 key about 4 KB
   * opened and 1.7 KB looked up; RSA-2048 7.7 KB and 3.5 KB), hence the shares: the default keeps
   * about 40,000 EC P-256 keys or 20,000 RSA-2048 keys hot.
   */
  cacheMemoryMb: {
    flag: "--cache-memory",
    value: "<MiB>",
    env: "MHSM_CACHE_MEMORY_MB",
    description: "memory for caches of opened keys (5/8), key lookups (1/4) and RBAC decisions (1/8), in MiB",
    type: z.coerce.number().int().min(1).max(1_048_576).default(256),
  },
  /** How long a node's claim on a running job lasts without renewal; another node fails the job after it. */
  jobLeaseSeconds: {
    flag: "--job-lease",
    value: "<seconds>",
    env: "MHSM_JOB_LEASE_SECONDS",
    description: "how long a node's claim on a running job lasts",
    type: z.coerce.number().int().min(2).max(600).default(15),
  },
  /**
   * The server's own credential for Azure Storage, used when a backup or restore request says
   * useManagedIdentity (the role a Managed HSM's managed identity plays).
   */
  storageAccountName: {
    file: "storageIdentity.accountName",
    flag: "--storage-account-name",
    value: "<name>",
    env: "MHSM_STORAGE_ACCOUNT_NAME",
    emptyIsUnset: true,
    description: "the server's own Azure Storage account (for useManagedIdentity)",
    type: z.string().min(1),
  },
  /** A secret: from the environment or the config file, never on a shared command line. */
  storageAccountKey: {
    file: "storageIdentity.accountKey",
    env: "MHSM_STORAGE_ACCOUNT_KEY",
    emptyIsUnset: true,
    description: "that account's key (no flag: a secret)",
    type: z.string().min(1),
  },
  /**
   * The blob endpoint of storageIdentity's account: the only place that credential is sent. An
   * emulator's, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite.
   */
  storageBlobEndpoint: {
    flag: "--storage-blob-endpoint",
    value: "<url>",
    env: "MHSM_STORAGE_BLOB_ENDPOINT",
    emptyIsUnset: true,
    description: "that account's blob endpoint, the only place its key is used",
    defaultText: "`https://<name>.blob.core.windows.net`",
    type: z.url({ protocol: /^https?$/ }).optional(),
  },
  /** Folders a file: backup URL may point into. */
  localBackupRoots: {
    flag: "--local-backup-root",
    value: "<dir>",
    env: "MHSM_LOCAL_BACKUP_ROOTS",
    repeats: true,
    description: "folder that file:/// backup URLs may point into",
    defaultText: "`<data-dir>/backups`",
    type: z.array(z.string().min(1)).default([]),
  },
  /**
   * "auto" (the embedded default, a development convenience): the domain key is made on first
   * start. "security-domain": the HSM answers "not activated" until an administrator downloads
   * its security domain (or uploads an existing one).
   */
  activation: {
    flag: "--activation",
    value: "<mode>",
    env: "MHSM_ACTIVATION",
    description:
      "'auto' (a domain key made on first start) or 'security-domain' (inactive until its security domain is downloaded or uploaded)",
    type: z.enum(["auto", "security-domain"]).default("auto"),
  },
  /**
   * Where the domain key lives between restarts: "file" (<dataDir>/domain.key) or "sealed"
   * (nowhere: after every start the HSM waits for its security domain to be uploaded).
   */
  domainKeyStorage: {
    flag: "--domain-key-storage",
    value: "<storage>",
    env: "MHSM_DOMAIN_KEY_STORAGE",
    description:
      "'file' (<data-dir>/domain.key) or 'sealed' (never written: upload the security domain after each start)",
    type: z.enum(["file", "sealed"]).default("file"),
  },
  /** Retry-After on long-running operations, in seconds. */
  jobRetryAfterSeconds: {
    flag: "--job-retry-after",
    value: "<seconds>",
    env: "MHSM_JOB_RETRY_AFTER",
    description: "Retry-After of long-running operations",
    type: z.coerce.number().int().min(1).max(60).default(1),
  },
  /** Items per page of a list before a nextLink is returned. */
  listPageSize: {
    flag: "--list-page-size",
    value: "<n>",
    env: "MHSM_LIST_PAGE_SIZE",
    description: "items per page of a list",
    type: z.coerce.number().int().min(1).max(1000).default(100),
  },
  /**
   * The audit log's line format: "mhsm" (the default, mhsm's own fields) or "azure" (Azure
   * Monitor's AuditEvent resource log, as a Managed HSM's diagnostic setting writes it).
   */
  auditFormat: {
    file: "audit.format",
    flag: "--audit-format",
    value: "<format>",
    env: "MHSM_AUDIT_FORMAT",
    description:
      "audit.log lines: 'mhsm' or 'azure' (Azure Monitor's AuditEvent shape, as a Managed HSM logs)",
    type: z.enum(["mhsm", "azure"]).default("mhsm"),
  },
  /** The ARM resource id the Azure-shaped records name (queries often filter on it). */
  auditResourceId: {
    file: "audit.resourceId",
    flag: "--audit-resource-id",
    value: "<id>",
    env: "MHSM_AUDIT_RESOURCE_ID",
    emptyIsUnset: true,
    description: "resourceId (an ARM id) in --audit-format azure records; the HSM's name ends the default",
    defaultText: "an all-zero subscription, group `MHSM`",
    type: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/managedhsms\/[^/]+$/i,
        "must be a Managed HSM's ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/managedHSMs/<name>",
      )
      .optional(),
  },
  /**
   * A separate listener for /metrics (plain HTTP, host:port), e.g. on an interface only the
   * monitoring network reaches; /metrics then leaves the HSM's own address.
   */
  metricsAddress: {
    file: "metrics.address",
    flag: "--metrics-address",
    value: "<host:port>",
    env: "MHSM_METRICS_ADDRESS",
    emptyIsUnset: true,
    description: "serve /metrics on this separate plain-HTTP listener instead of the HSM's own address",
    defaultText: "the HSM's own address",
    type: z
      .string()
      .refine(
        (value) =>
          URL.canParse(`http://${value}`) &&
          /:\d+$/.test(value) &&
          new URL(`http://${value}`).pathname === "/",
        "must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464",
      )
      .optional(),
  },
  /** A secret: from the environment or the config file, never on a shared command line. */
  metricsToken: {
    file: "metrics.token",
    env: "MHSM_METRICS_TOKEN",
    emptyIsUnset: true,
    description: "bearer token /metrics requires (no flag: a secret)",
    defaultText: "none: /metrics is open",
    type: z.string().min(16, "must be at least 16 characters").optional(),
  },
  /** TCP accept to finished TLS handshake: a hard deadline (a silent or trickling client is cut off). */
  tlsHandshakeTimeoutSeconds: {
    flag: "--tls-handshake-timeout",
    value: "<seconds>",
    env: "MHSM_TLS_HANDSHAKE_TIMEOUT",
    description: "longest from connect to a finished TLS handshake",
    type: seconds(0.1, 600, 10),
  },
  /** A request's first byte to the end of its headers. */
  headersTimeoutSeconds: {
    flag: "--headers-timeout",
    value: "<seconds>",
    env: "MHSM_HEADERS_TIMEOUT",
    description: "longest to receive a request's headers",
    type: seconds(0.1, 600, 10),
  },
  /** A request's first byte to the end of its body (at least headersTimeoutSeconds). */
  requestTimeoutSeconds: {
    flag: "--request-timeout",
    value: "<seconds>",
    env: "MHSM_REQUEST_TIMEOUT",
    description: "longest to receive a whole request, body included",
    type: seconds(0.1, 3600, 30),
  },
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutSeconds: {
    flag: "--keep-alive-timeout",
    value: "<seconds>",
    env: "MHSM_KEEP_ALIVE_TIMEOUT",
    description: "how long an idle connection waits for its next request",
    type: seconds(0.1, 600, 5),
  },
  /** A connection with no traffic either way (a client that stops reading) is closed after this. */
  idleTimeoutSeconds: {
    flag: "--idle-timeout",
    value: "<seconds>",
    env: "MHSM_IDLE_TIMEOUT",
    description: "close a connection with no traffic either way for this long",
    type: seconds(0.1, 3600, 30),
  },
  /** Connections held at once; more are closed as soon as they are accepted. */
  maxConnections: {
    flag: "--max-connections",
    value: "<n>",
    env: "MHSM_MAX_CONNECTIONS",
    description: "connections held at once; more are closed at accept",
    type: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  },
  logLevel: {
    flag: "--log-level",
    value: "<level>",
    env: "MHSM_LOG_LEVEL",
    description: "fatal, error, warn, info, debug or silent",
    type: z.enum(["fatal", "error", "warn", "info", "debug", "silent"]).default("info"),
  },
  /**
   * Rows in one chunk of a full backup: what a backup or restore holds in memory at once (about
   * 1 KiB per key version), whatever the number of keys.
   */
  backupRowsPerChunk: {
    flag: "--backup-rows-per-chunk",
    value: "<n>",
    env: "MHSM_BACKUP_ROWS_PER_CHUNK",
    description: "rows per chunk of a full backup: what a backup or restore holds in memory at once",
    type: z.coerce.number().int().min(1).max(100_000).default(500),
  },
  attestationRootCert: {
    flag: "--attestation-root-cert",
    value: "<file>",
    env: "MHSM_ATTESTATION_ROOT_CERT",
    description:
      "PEM CA certificate to chain key attestation to instead of a root the HSM makes (docs/key-attestation.md)",
    defaultText: "generated",
    type: z.string().min(1).optional(),
  },
  attestationRootKey: {
    flag: "--attestation-root-key",
    value: "<file>",
    env: "MHSM_ATTESTATION_ROOT_KEY",
    description: "PEM private key of --attestation-root-cert (read at start; never stored)",
    defaultText: "generated",
    type: z.string().min(1).optional(),
  },
  /**
   * Secure key release: the attestation authorities whose tokens the HSM accepts. Empty: any
   * authority a key's release policy names (its OpenID metadata and keys are fetched over HTTPS,
   * trusting the process's CAs, NODE_EXTRA_CA_CERTS included).
   */
  attestationAuthorities: {
    file: "attestation.authorities",
    flag: "--attestation-authority",
    value: "<url>",
    env: "MHSM_ATTESTATION_AUTHORITIES",
    repeats: true,
    description: "attestation authority (https URL) release policies may name; repeatable",
    defaultText: "any authority a policy names",
    type: z.array(z.url({ protocol: /^https$/ })).default([]),
  },
  /** Fetching an authority's OpenID metadata or keys: longest wait before the release is refused. */
  attestationTimeoutSeconds: {
    file: "attestation.timeoutSeconds",
    flag: "--attestation-timeout",
    value: "<seconds>",
    env: "MHSM_ATTESTATION_TIMEOUT",
    description: "longest to wait for an attestation authority's metadata or keys",
    type: seconds(0.1, 60, 5),
  },
  /** For tests only: the built-in attestation authority that mints tokens with any claims. */
  testAttestationAuthority: {
    file: "attestation.testAuthority",
    flag: "--test-attestation-authority",
    value: "[on]",
    env: "MHSM_TEST_ATTESTATION_AUTHORITY",
    description:
      "serve the built-in TEST attestation authority at /test-attestation (mints tokens with any claims: never in production)",
    type: z
      .preprocess(
        (value) => (value === true || value === "true" || value === "on" || value === "1" ? true : value),
        z.preprocess(
          (value) => (value === "false" || value === "off" || value === "0" ? false : value),
          z.boolean(),
        ),
      )
      .default(false),
  },
  /**
   * Where the HSM's keys and its root of trust live: "software" (node:crypto, the domain key in
   * a file) or "pkcs11" (a token reached through a PKCS#11 module: docs/pkcs11.md).
   */
  hsmBackend: {
    flag: "--hsm-backend",
    value: "<backend>",
    env: "MHSM_HSM_BACKEND",
    description: "'software' (node:crypto) or 'pkcs11' (keys and root of trust in a PKCS#11 token)",
    type: z.enum(["software", "pkcs11"]).default("software"),
  },
  pkcs11Module: {
    file: "pkcs11.module",
    flag: "--pkcs11-module",
    value: "<path>",
    env: "MHSM_PKCS11_MODULE",
    emptyIsUnset: true,
    description: "the PKCS#11 module (.so) of the token, with --hsm-backend pkcs11",
    type: z.string().min(1).optional(),
  },
  pkcs11TokenLabel: {
    file: "pkcs11.tokenLabel",
    flag: "--pkcs11-token-label",
    value: "<label>",
    env: "MHSM_PKCS11_TOKEN_LABEL",
    emptyIsUnset: true,
    description: "the label of the token to use (or --pkcs11-slot)",
    type: z.string().min(1).max(32).optional(),
  },
  pkcs11Slot: {
    file: "pkcs11.slot",
    flag: "--pkcs11-slot",
    value: "<id>",
    env: "MHSM_PKCS11_SLOT",
    emptyIsUnset: true,
    description: "the slot id of the token to use (or --pkcs11-token-label)",
    type: z.coerce.number().int().min(0).optional(),
  },
  /** The user PIN from a file, so it never shows in `ps` as a flag's value would. */
  pkcs11PinFile: {
    file: "pkcs11.pinFile",
    flag: "--pkcs11-pin-file",
    value: "<file>",
    env: "MHSM_PKCS11_PIN_FILE",
    emptyIsUnset: true,
    description: "file holding the token's user PIN (or MHSM_PKCS11_PIN)",
    type: z.string().min(1).optional(),
  },
  /** A secret: from the environment or the config file, never on a shared command line. */
  pkcs11Pin: {
    file: "pkcs11.pin",
    env: "MHSM_PKCS11_PIN",
    emptyIsUnset: true,
    description: "the token's user PIN (no flag: a secret)",
    type: z.string().min(1).max(255).optional(),
  },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The settings in README and `--help` order. */
export const SETTING_LIST: ReadonlyArray<readonly [SettingName, Setting]> = Object.entries(SETTINGS) as [
  SettingName,
  Setting,
][];

/** `--config`: the JSON file with any of the settings, by config-file key. Not a setting itself. */
export const CONFIG_FILE_OPTION = {
  flag: "--config",
  value: "<file>",
  env: "MHSM_CONFIG",
  description: "JSON file with any of the settings (camelCase keys, as in README.md's Configuration)",
} as const;

/** The config-file key a setting is read from: its name unless it says otherwise. */
export function settingFileKey(name: SettingName): string {
  const setting: Setting = SETTINGS[name];
  return setting.file ?? name;
}

/** The default of a setting as plain text ("" for none), for `--help` and commander's defaults. */
export function settingDefault(setting: Setting): string {
  if (setting.defaultText !== undefined) return setting.defaultText.replaceAll("`", "");
  const parsed = setting.type.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return "";
  if (Array.isArray(parsed.data)) return parsed.data.join(",");
  return String(parsed.data);
}

/** The default as README.md's table shows it: a value in backticks, words as written. */
export function settingDefaultMarkdown(setting: Setting): string {
  if (setting.defaultText !== undefined) return setting.defaultText;
  const text = settingDefault(setting);
  return text === "" ? "" : `\`${text}\``;
}

/** The line `mhsm serve --help` shows (commander adds the environment variable). */
export function settingHelp(setting: Setting): string {
  const notes = [
    setting.repeats ? "repeatable" : "",
    settingDefault(setting) && `default ${settingDefault(setting)}`,
  ];
  const note = notes.filter(Boolean).join("; ");
  return note ? `${setting.description} (${note})` : setting.description;
}
