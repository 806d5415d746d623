import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runMhsmCli } from "./mhsm-cli.js";
import { createDatabase, databaseNameFor } from "./postgres.js";
import { pkcs11ServeOptions, softHsmTokenIn } from "./softhsm.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const MHSM_BIN = join(REPO_ROOT, "packages/cli/dist/main.js");

export interface InitialAdmin {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
  tokenEndpoint: string;
  vaultUrl: string;
  caFile: string;
}

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  admin: InitialAdmin;
  ca: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait; the data directory stays (for restart tests). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no shutdown code runs. */
  kill(): Promise<void>;
  /** Stop and remove the data directory. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (restart); a fresh temporary one otherwise. */
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  port?: number;
  /**
   * Credentials to use instead of this node's initial-admin.json: a second node on a shared
   * database has none (the first node made the HSM's initial administrator).
   */
  admin?: InitialAdmin;
}

/**
 * Starts the built `mhsm serve` as a real process on a free loopback port and waits for its
 * "listening on" line. Tests drive it over HTTPS like any client would.
 */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "mhsm-test-")));
  const args = [
    MHSM_BIN,
    "serve",
    ...(await storeArguments(dataDir, options)),
    ...pkcs11Backend(dataDir, options).args,
    "--data-dir",
    dataDir,
    "--port",
    String(options.port ?? 0),
    "--log-level",
    "warn",
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...pkcs11Backend(dataDir, options).env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const url = await waitForListening(child, () => output);
  const admin =
    options.admin ??
    (JSON.parse(await readFile(join(dataDir, "initial-admin.json"), "utf8")) as InitialAdmin);
  // Each node has its own CA (in its data directory) unless it was given a certificate.
  const ca = await readFile(options.admin ? join(dataDir, "tls", "ca.pem") : admin.caFile, "utf8");
  const stop = () => stopProcess(child);
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    admin,
    ca,
    output: () => output,
    stop,
    kill: () =>
      new Promise<void>((resolveKill) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveKill();
        child.once("exit", () => resolveKill());
        child.kill("SIGKILL");
      }),
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * When the suite runs on PostgreSQL (MHSM_TEST_POSTGRES_URL, set by scripts/run-tests.mjs),
 * each data directory gets its own database, the same one again when a test restarts a server.
 */
async function storeArguments(dataDir: string, options: StartOptions): Promise<string[]> {
  const cluster = process.env.MHSM_TEST_POSTGRES_URL;
  if (!cluster || options.args?.includes("--store")) return [];
  return ["--store", await createDatabase(cluster, databaseNameFor(dataDir))];
}

/** Runs `mhsm serve` expecting it to fail at start; resolves with its exit code and output. */
export function runServeExpectingFailure(args: string[], env: Record<string, string> = {}) {
  const dataDir = args[args.indexOf("--data-dir") + 1];
  const pkcs11 =
    args.includes("--data-dir") && dataDir ? pkcs11Backend(dataDir, { args }) : { args: [], env: {} };
  return runMhsm(["serve", "--port", "0", ...args, ...pkcs11.args], { ...pkcs11.env, ...env });
}

/** Runs the built `mhsm` binary to completion (mhsm-cli.ts's runner, with this file's defaults). */
export function runMhsm(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000) {
  return runMhsmCli(args, { env, timeoutMs });
}

function waitForListening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start in time:\n${output()}`));
    }, 30_000);
    const check = () => {
      const match = /listening on (https:\/\/\S+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolvePromise(match[1] as string);
      }
    };
    child.stdout?.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output()}`));
    });
  });
}

/**
 * SIGTERM and wait for the process to exit (SIGKILL if it has not within 10 s): the one way the
 * test harness stops a process it started (servers, Azurite).
 */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill("SIGTERM");
  });
}

/**
 * When the suite runs on the pkcs11 backend (MHSM_TEST_PKCS11_ROOT, set by
 * scripts/run-tests-on-pkcs11.ts), each data directory gets its own SoftHSM2 token under that
 * root, the same one again when a test restarts a server; a test that chose a backend keeps it.
 */
function pkcs11Backend(
  dataDir: string,
  options: StartOptions,
): { args: string[]; env: Record<string, string> } {
  const root = process.env.MHSM_TEST_PKCS11_ROOT;
  if (!root || options.args?.includes("--hsm-backend")) return { args: [], env: {} };
  const dir = join(root, createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 16));
  return pkcs11ServeOptions(softHsmTokenIn(dir));
}
