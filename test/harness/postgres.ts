import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./azurite.js";

export interface Postgres {
  /** postgres://mhsm@127.0.0.1:<port>/postgres — the maintenance database. */
  url: string;
  port: number;
  /** The URL of a database, created if it does not exist yet. */
  database(name: string): Promise<string>;
  stop(): void;
}

/** Debian's PostgreSQL binaries (package postgresql), the newest installed version. */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  return join(root, versions[0] as string, "bin");
}

/** initdb refuses to run as root: run the cluster as the postgres user when we are root. */
function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const result = asRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", command, ...args], { encoding: "utf8" })
    : spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}${result.stdout}`);
}

/**
 * A throwaway PostgreSQL cluster in a temporary folder on a free loopback port, trusting local
 * connections, tuned for tests (no fsync). The caller stops it.
 */
export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), "mhsm-pg-"));
  if (process.getuid?.() === 0) {
    const postgres = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(postgres.stdout), Number(group.stdout));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  const bin = binDir();
  run(join(bin, "initdb"), ["-D", data, "-U", "mhsm", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  const url = `postgres://mhsm@127.0.0.1:${port}/postgres`;
  const stop = () => {
    try {
      run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url, port, database: (name) => createDatabase(url, name), stop };
}

/** Creates a database on the cluster of `url` unless it exists; returns its URL. */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** The database a test server with this data directory uses, when the suite runs on PostgreSQL. */
export function databaseNameFor(dataDir: string): string {
  return `mhsm_${createHash("sha256").update(dataDir).digest("hex").slice(0, 20)}`;
}
