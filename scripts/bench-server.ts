import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dirname, "..");
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";

export interface BenchServer {
  url: string;
  ca: string;
  pid: number;
  /** A token of the initial administrator, who also holds Crypto User for the bench. */
  token: string;
  stop(): Promise<void>;
}

/**
 * Starts the built `mhsm serve` as its own process (so its CPU time can be read apart from the
 * bench's), on a free port with a fresh data directory, and makes the administrator a Crypto User.
 */
export async function startBenchServer(extraArgs: string[]): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "mhsm-bench-"));
  const child = spawn(
    process.execPath,
    [
      // MHSM_BENCH_CPU_PROFILE_DIR=<dir>: the server writes V8 CPU profiles there (one per thread).
      ...(process.env.MHSM_BENCH_CPU_PROFILE_DIR
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.MHSM_BENCH_CPU_PROFILE_DIR}`]
        : []),
      join(REPO_ROOT, "packages/cli/dist/main.js"),
      "serve",
      "--data-dir",
      dataDir,
      "--port",
      "0",
      "--log-level",
      "warn",
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const stop = async () => {
    await stopProcess(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await listeningUrl(child);
    const admin = JSON.parse(await readFile(join(dataDir, "initial-admin.json"), "utf8")) as {
      clientId: string;
      clientSecret: string;
      objectId: string;
      tokenEndpoint: string;
      caFile: string;
    };
    const ca = await readFile(admin.caFile, "utf8");
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: admin.clientId,
      client_secret: admin.clientSecret,
      scope: "https://managedhsm.azure.net/.default",
    }).toString();
    const tokenPath = new URL(admin.tokenEndpoint).pathname;
    const issued = await send(url, ca, "POST", tokenPath, form, "application/x-www-form-urlencoded");
    const token = (issued as { access_token: string }).access_token;
    await send(
      url,
      ca,
      "PUT",
      `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=7.5`,
      JSON.stringify({
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
          principalId: admin.objectId,
        },
      }),
      "application/json",
      token,
    );
    return { url, ca, pid: child.pid as number, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** User plus system CPU time of a process so far, in milliseconds (Linux /proc). */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1] as string);
      }
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
}

function send(
  baseUrl: string,
  ca: string,
  method: string,
  path: string,
  body: string,
  contentType: string,
  token?: string,
): Promise<unknown> {
  const url = new URL(baseUrl);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        ca,
        headers: {
          "content-type": contentType,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if ((response.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`));
          else resolvePromise(JSON.parse(text));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
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
