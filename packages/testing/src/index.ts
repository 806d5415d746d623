import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { ClientSecretCredential } from "@azure/identity";
import type { ServerConfigInput } from "@mhsm/server";
import { AdminRest } from "./admin-rest.js";
import { onProcessExit } from "./cleanup.js";
import { type ReadyLine, serverInput } from "./server-input.js";
import { httpClientTrusting } from "./trusting-http-client.js";

export interface StartMhsmOptions {
  /** A seed file (README's Seeding: principals, roles, assignments, keys, settings), applied at start. */
  seed?: string;
  /** Run the server in this process (faster to start) instead of a child process (the default). */
  inProcess?: boolean;
  /** Any other server settings, by config-file key (README's Configuration), e.g. `{ listPageSize: 5 }`. */
  settings?: Omit<ServerConfigInput, "dataDir" | "seed">;
  /** Give up starting after this long (default 60 s). */
  startTimeoutMs?: number;
}

/** What KeyClient, CryptographyClient and the @mhsm/keyvault-admin clients need in their options. */
export interface MhsmClientOptions {
  /** Trusts this HSM's own CA, and only for these clients. */
  httpClient: HttpClient;
  /** The HSM listens on 127.0.0.1, not on a *.managedhsm.azure.net name the SDKs' check expects. */
  disableChallengeResourceVerification: true;
}

/** A role to give a principal: a role name or definition GUID, at "/" unless a scope is given. */
export type MhsmRole = string | { role: string; scope?: string };

export interface Mhsm {
  /** The vault URL, e.g. https://127.0.0.1:41234. */
  url: string;
  /** The initial administrator (Managed HSM Administrator at "/"; no key permissions, as on Azure). */
  credential: TokenCredential;
  /** The PEM CA certificate the HSM's TLS certificate chains to. */
  caCertificate: string;
  clientOptions: MhsmClientOptions;
  /** <dataDir>/initial-admin.json: what `mhsm --admin-file` and other tools take. */
  adminFile: string;
  dataDir: string;
  /**
   * A credential for a principal of the embedded identity provider: one the seed declared
   * (by name), or a new one; the roles given are assigned to it first.
   */
  principal(name: string, roles?: MhsmRole[]): Promise<TokenCredential>;
  /** Stops the server and removes its data directory. Also done at process exit if not called. */
  stop(): Promise<void>;
}

interface Credentials {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  objectId: string;
}

const DEFAULT_RESOURCE = "https://managedhsm.azure.net";

/**
 * Starts a throwaway HSM: its own temporary data directory, a free loopback port, optionally
 * seeded. Stop it with `stop()`; at process exit it is stopped and removed regardless.
 */
export async function startMhsm(options: StartMhsmOptions = {}): Promise<Mhsm> {
  const dataDir = mkdtempSync(join(tmpdir(), "mhsm-testing-"));
  const input = serverInput(dataDir, options.seed, options.settings);
  let running: { ready: ReadyLine; stop: () => Promise<void>; kill: () => void } | undefined;
  const forget = onProcessExit(() => {
    running?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    running = options.inProcess
      ? await startInProcess(input)
      : await startChild(input, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    forget();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { ready } = running;
  const admin = JSON.parse(await readFile(ready.adminFile, "utf8")) as Credentials;
  const caCertificate = ready.caFile ? await readFile(ready.caFile, "utf8") : "";
  const httpClient = httpClientTrusting(caCertificate);
  const credentialFor = (c: Credentials) =>
    new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret ?? "", {
      authorityHost: ready.url,
      disableInstanceDiscovery: true,
      httpClient,
    });
  const credential = credentialFor(admin);
  const resource = String(options.settings?.resource ?? DEFAULT_RESOURCE).replace(/\/+$/, "");
  const rest = new AdminRest(ready.url, caCertificate, credential, `${resource}/.default`);

  let stopped = false;
  return {
    url: ready.url,
    credential,
    caCertificate,
    clientOptions: { httpClient, disableChallengeResourceVerification: true },
    adminFile: ready.adminFile,
    dataDir,
    async principal(name, roles = []) {
      const seeded = await seededPrincipal(dataDir, name);
      const principal = seeded ?? { tenantId: admin.tenantId, ...(await rest.createPrincipal(name)) };
      for (const role of roles) {
        const { role: roleName, scope = "/" } = typeof role === "string" ? { role } : role;
        await rest.assignRole(principal.objectId, roleName, scope);
      }
      return credentialFor(principal);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running?.stop();
      forget();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function seededPrincipal(dataDir: string, name: string): Promise<Credentials | undefined> {
  try {
    const all = JSON.parse(await readFile(join(dataDir, "seeded-principals.json"), "utf8")) as Record<
      string,
      Credentials
    >;
    return all[name];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function startInProcess(input: ServerConfigInput) {
  const { parseServerConfig, startServer } = await import("@mhsm/server");
  const server = await startServer(parseServerConfig(input));
  return {
    ready: { url: server.url, adminFile: server.initialAdminFile, caFile: server.caFile },
    stop: () => server.close(),
    // At exit nothing can be awaited: the process's end closes the sockets and the database.
    kill: () => undefined,
  };
}

const CHILD_SERVER = fileURLToPath(new URL("./child-server.js", import.meta.url));

function startChild(input: ServerConfigInput, timeoutMs: number) {
  const child = spawn(process.execPath, [CHILD_SERVER, JSON.stringify(input)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ ready: ReadyLine; stop: () => Promise<void>; kill: () => void }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`@mhsm/testing: the server did not start in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`@mhsm/testing: the server exited (${code}) before it listened\n${stderr.trim()}`));
    };
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      // From here the child must not keep the tests' process alive: stop() or exit ends it.
      unrefChild(child);
      resolve({
        ready: JSON.parse(stdout.slice(0, newline)) as ReadyLine,
        stop: () => stopChild(child),
        kill: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
      });
    });
  });
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
