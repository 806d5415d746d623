import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
// Types only: the server itself is loaded when `serve` runs, so other commands start quickly.
import type { ServerConfigInput } from "@mhsm/server";

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

/**
 * `mhsm serve`: flags, then MHSM_* environment variables, then an optional JSON file
 * (--config), then the embedded defaults. The server validates the merged result once.
 */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "start an mhsm server (on first start it creates its data directory, CA, domain key and initial administrator)",
    )
    .addOption(
      new Option("--config <file>", "JSON file with any of the settings below (camelCase keys)").env(
        "MHSM_CONFIG",
      ),
    )
    .addOption(new Option("--host <address>", "address to listen on (default 127.0.0.1)").env("MHSM_HOST"))
    .addOption(
      new Option("--port <port>", "port to listen on; 0 picks a free one (default 8443)").env("MHSM_PORT"),
    )
    .addOption(new Option("--data-dir <dir>", "data directory (default ./.mhsm)").env("MHSM_DATA_DIR"))
    .addOption(new Option("--hsm-name <name>", "the HSM's name (default mhsm)").env("MHSM_HSM_NAME"))
    .addOption(
      new Option("--public-url <url>", "the URL clients use, if not https://<host>:<port>").env(
        "MHSM_PUBLIC_URL",
      ),
    )
    .addOption(
      new Option("--tls-cert <file>", "PEM certificate to serve instead of the generated one").env(
        "MHSM_TLS_CERT",
      ),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key for --tls-cert").env("MHSM_TLS_KEY"))
    .addOption(
      new Option("--tls-name <name>", "extra DNS name or IP for the generated certificate (repeatable)")
        .argParser(list)
        .env("MHSM_TLS_NAMES"),
    )
    .addOption(
      new Option("--administrator <objectId>", "object id given the Administrator role at / (repeatable)")
        .argParser(list)
        .env("MHSM_ADMINISTRATORS"),
    )
    .addOption(
      new Option(
        "--resource <url>",
        "token audience and challenge resource (default https://managedhsm.azure.net)",
      ).env("MHSM_RESOURCE"),
    )
    .addOption(
      new Option(
        "--challenge-authority <url>",
        "authority named in the 401 challenge (default: the embedded identity provider)",
      ).env("MHSM_CHALLENGE_AUTHORITY"),
    )
    .addOption(
      new Option("--oidc-issuer <url>", "trust tokens from this OIDC issuer (exact iss), e.g. Entra ID").env(
        "MHSM_OIDC_ISSUER",
      ),
    )
    .addOption(
      new Option("--oidc-jwks-uri <url>", "the signing keys of --oidc-issuer").env("MHSM_OIDC_JWKS_URI"),
    )
    .addOption(
      new Option("--oidc-audience <aud>", "accepted audience for --oidc-issuer tokens (repeatable)")
        .argParser(list)
        .env("MHSM_OIDC_AUDIENCES"),
    )
    .addOption(
      new Option(
        "--store <store>",
        "'sqlite' (default, in the data directory) or a postgres:// URL shared by nodes",
      ).env("MHSM_STORE"),
    )
    .addOption(
      new Option(
        "--rbac-cache-seconds <seconds>",
        "longest a node acts on cached role grants (default 5)",
      ).env("MHSM_RBAC_CACHE_SECONDS"),
    )
    .addOption(
      new Option("--job-lease <seconds>", "how long a node's claim on a running job lasts (default 15)").env(
        "MHSM_JOB_LEASE_SECONDS",
      ),
    )
    .addOption(
      new Option(
        "--storage-account-name <name>",
        "the server's own Azure Storage account (for useManagedIdentity)",
      ).env("MHSM_STORAGE_ACCOUNT_NAME"),
    )
    .addOption(
      new Option("--storage-account-key <key>", "its account key; prefer the environment variable").env(
        "MHSM_STORAGE_ACCOUNT_KEY",
      ),
    )
    .addOption(
      new Option(
        "--storage-blob-endpoint <url>",
        "that account's blob endpoint, the only place its key is used (default https://<name>.blob.core.windows.net)",
      ).env("MHSM_STORAGE_BLOB_ENDPOINT"),
    )
    .addOption(
      new Option(
        "--local-backup-root <dir>",
        "folder file: backup URLs may use (repeatable; default <data-dir>/backups)",
      )
        .argParser(list)
        .env("MHSM_LOCAL_BACKUP_ROOTS"),
    )
    .addOption(
      new Option(
        "--activation <mode>",
        "'auto' (default: a domain key on first start, for development) or 'security-domain' (not activated until its security domain is downloaded or uploaded)",
      ).env("MHSM_ACTIVATION"),
    )
    .addOption(
      new Option(
        "--domain-key-storage <storage>",
        "'file' (default: <data-dir>/domain.key) or 'sealed' (never written: upload the security domain after every start)",
      ).env("MHSM_DOMAIN_KEY_STORAGE"),
    )
    .addOption(
      new Option("--job-retry-after <seconds>", "Retry-After of long-running operations (default 1)").env(
        "MHSM_JOB_RETRY_AFTER",
      ),
    )
    .addOption(
      new Option("--list-page-size <n>", "items per page of a list (default 100)").env("MHSM_LIST_PAGE_SIZE"),
    )
    .addOption(
      new Option(
        "--tls-handshake-timeout <seconds>",
        "longest from connect to a finished TLS handshake (default 10)",
      ).env("MHSM_TLS_HANDSHAKE_TIMEOUT"),
    )
    .addOption(
      new Option("--headers-timeout <seconds>", "longest to receive a request's headers (default 10)").env(
        "MHSM_HEADERS_TIMEOUT",
      ),
    )
    .addOption(
      new Option(
        "--request-timeout <seconds>",
        "longest to receive a whole request, body included (default 30)",
      ).env("MHSM_REQUEST_TIMEOUT"),
    )
    .addOption(
      new Option(
        "--keep-alive-timeout <seconds>",
        "how long an idle connection waits for its next request (default 5)",
      ).env("MHSM_KEEP_ALIVE_TIMEOUT"),
    )
    .addOption(
      new Option(
        "--idle-timeout <seconds>",
        "close a connection with no traffic either way for this long (default 30)",
      ).env("MHSM_IDLE_TIMEOUT"),
    )
    .addOption(
      new Option("--max-connections <n>", "connections held at once; more are refused (default 1000)").env(
        "MHSM_MAX_CONNECTIONS",
      ),
    )
    .addOption(
      new Option("--log-level <level>", "fatal, error, warn, info, debug or silent (default info)").env(
        "MHSM_LOG_LEVEL",
      ),
    )
    .action(async (options: ServeOptions) => {
      const serverModule = await import("@mhsm/server");
      try {
        await serve(options, serverModule);
      } catch (error) {
        if (error instanceof serverModule.ConfigError) {
          process.stderr.write(`mhsm serve: ${error.message}\n`);
          process.exit(2);
        }
        process.stderr.write(`mhsm serve: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      }
    });
}

interface ServeOptions {
  config?: string;
  host?: string;
  port?: string;
  dataDir?: string;
  hsmName?: string;
  publicUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsName?: string[];
  administrator?: string[];
  resource?: string;
  challengeAuthority?: string;
  oidcIssuer?: string;
  oidcJwksUri?: string;
  oidcAudience?: string[];
  listPageSize?: string;
  logLevel?: string;
  store?: string;
  jobLease?: string;
  rbacCacheSeconds?: string;
  storageAccountName?: string;
  storageAccountKey?: string;
  storageBlobEndpoint?: string;
  localBackupRoot?: string[];
  jobRetryAfter?: string;
  activation?: string;
  domainKeyStorage?: string;
  tlsHandshakeTimeout?: string;
  headersTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  idleTimeout?: string;
  maxConnections?: string;
}

type ServerModule = typeof import("@mhsm/server");

async function serve(options: ServeOptions, serverModule: ServerModule): Promise<void> {
  const { ConfigError, parseServerConfig, startServer } = serverModule;
  const fromFile = options.config ? await readConfigFile(options.config, ConfigError) : {};
  const fromFlags: Record<string, unknown> = {
    host: options.host,
    port: options.port,
    dataDir: options.dataDir,
    hsmName: options.hsmName,
    publicUrl: options.publicUrl,
    tlsCert: options.tlsCert,
    tlsKey: options.tlsKey,
    tlsNames: options.tlsName,
    administrators: options.administrator,
    resource: options.resource,
    challengeAuthority: options.challengeAuthority,
    listPageSize: options.listPageSize,
    logLevel: options.logLevel,
    localBackupRoots: options.localBackupRoot,
    store: options.store,
    jobLeaseSeconds: options.jobLease,
    rbacCacheSeconds: options.rbacCacheSeconds,
    jobRetryAfterSeconds: options.jobRetryAfter,
    activation: options.activation,
    domainKeyStorage: options.domainKeyStorage,
    tlsHandshakeTimeoutSeconds: options.tlsHandshakeTimeout,
    headersTimeoutSeconds: options.headersTimeout,
    requestTimeoutSeconds: options.requestTimeout,
    keepAliveTimeoutSeconds: options.keepAliveTimeout,
    idleTimeoutSeconds: options.idleTimeout,
    maxConnections: options.maxConnections,
  };
  if (options.storageAccountName || options.storageAccountKey) {
    fromFlags.storageIdentity = {
      accountName: options.storageAccountName,
      accountKey: options.storageAccountKey,
    };
  }
  if (options.storageBlobEndpoint) fromFlags.storageBlobEndpoint = options.storageBlobEndpoint;
  if (options.oidcIssuer || options.oidcJwksUri) {
    if (!options.oidcIssuer || !options.oidcJwksUri) {
      throw new ConfigError("invalid configuration: --oidc-issuer and --oidc-jwks-uri go together");
    }
    const issuer = {
      issuer: options.oidcIssuer,
      jwksUri: options.oidcJwksUri,
      audiences: options.oidcAudience,
    };
    fromFlags.trustedIssuers = [...((fromFile.trustedIssuers as unknown[]) ?? []), issuer];
  }
  const merged = { ...fromFile };
  for (const [key, value] of Object.entries(fromFlags)) if (value !== undefined) merged[key] = value;
  const config = parseServerConfig(merged);
  // Everything the server writes (database, WAL, audit log, keys) is for its owner only.
  process.umask(0o077);

  const server = await startServer(config);
  process.stdout.write(`mhsm listening on ${server.listenUrl}\n`);
  if (server.url !== server.listenUrl) process.stdout.write(`mhsm public URL: ${server.url}\n`);
  process.stdout.write(`mhsm initial administrator credentials: ${server.initialAdminFile}\n`);
  if (server.caFile) process.stdout.write(`mhsm CA certificate: ${server.caFile}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`mhsm stopping (${signal})\n`);
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

async function readConfigFile(
  path: string,
  ConfigError: ServerModule["ConfigError"],
): Promise<ServerConfigInput & Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as ServerConfigInput & Record<string, unknown>;
  } catch {
    throw new ConfigError(`config file ${path} is not a JSON object`);
  }
}
