/**
 * `npm run bench`: keys throughput through the full path (HTTPS, token check, RBAC, store,
 * crypto) of a real `mhsm serve`, beside the same operation done in this process with
 * node:crypto. Several concurrent clients over keep-alive connections, as SDK clients would be.
 *
 *   npm run bench -- [--seconds 5] [--concurrency 16] [--count N] [--server-arg=--flag ...]
 *                    [--only rsa-sign|ec-sign|aes-wrap|get-key|many-keys] [--keys 5000]
 *                    [--assignments-per-key 10] [--backup-keys 5000] [--only backup-restore]
 *
 * --count runs N operations of each kind instead of a fixed time (the CI smoke test uses tiny
 * counts). --only measures one operation on one node and nothing else (with
 * MHSM_BENCH_CPU_PROFILE_DIR set, to profile the server doing just that). Figures vary with the
 * machine and what else runs on it; this prints what it saw.
 *
 * --keys N: the "many keys" part (bench-many-keys.ts) creates N keys and measures requests
 * spread over all of them, a full listing, and RBAC among 10 assignments per key scope.
 * `--only many-keys` runs just that part (with `--assignments-per-key 0` and
 * MHSM_BENCH_CPU_PROFILE_DIR, a profile of requests on keys that are not cached).
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { type BenchOperation, inProcessOperations, serverOperations } from "./bench-operations.js";
import { type Measurement, measure } from "./bench-measure.js";
import { BenchHttpsClient } from "./bench-client.js";
import { processCpuMs, startBenchServer } from "./bench-server.js";
import { benchBackupRestore } from "./bench-backup-restore.js";
import { benchTwoNodes } from "./bench-two-nodes.js";
import { benchTestingStart } from "./bench-testing-start.js";
import { benchManyKeys, printManyKeysFigures } from "./bench-many-keys.js";
import { benchPkcs11 } from "./bench-pkcs11.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
    count: { type: "string" },
    only: { type: "string" },
    "server-arg": { type: "string", multiple: true, default: [] },
    /** Keys in the HSM for the backup and restore figures (5,000: the Managed HSM limit). */
    "backup-keys": { type: "string", default: "5000" },
    /** Keys in the HSM for the "many keys" figures. */
    keys: { type: "string", default: "5000" },
    /** Role assignments per key scope in the "many keys" part (0: none, and no RBAC figure). */
    "assignments-per-key": { type: "string", default: "10" },
  },
});
const manyKeys = positiveInteger(values.keys, "--keys");
const assignmentsPerKey = Number(values["assignments-per-key"]);
if (!Number.isInteger(assignmentsPerKey) || assignmentsPerKey < 0)
  throw new Error("--assignments-per-key must be an integer from 0");
const backupKeys = positiveInteger(values["backup-keys"], "--backup-keys");
const concurrency = positiveInteger(values.concurrency, "--concurrency");
const budget = values.count
  ? { count: positiveInteger(values.count, "--count") }
  : { seconds: positiveNumber(values.seconds, "--seconds") };
const warmup = values.count ? { count: Math.min(concurrency * 2, budget.count ?? 1) } : { seconds: 1 };

/** Managed HSM's published per-partition figures; the aim is three times these. */
const PUBLISHED: Record<string, number> = { "rsa-sign": 900, "ec-sign": 330, "aes-wrap": 2100 };

interface Row {
  op: BenchOperation;
  server: Measurement;
  inProcess: Measurement;
  inProcessOneThread: Measurement;
  /** CPU time per operation: the server process (event loop and signing threads), and this one. */
  serverCpuMs: number;
  clientCpuMs: number;
}

async function main(): Promise<void> {
  if (values.only === "many-keys") return printManyKeys();
  if (values.only === "backup-restore") return printBackupRestoreFigures();
  const server = await startBenchServer(values["server-arg"]);
  try {
    const client = new BenchHttpsClient(server.url, server.ca, server.token, concurrency);
    const remote = await serverOperations(client);
    const local = await inProcessOperations();
    const rows: Row[] = [];
    for (const op of remote.filter((candidate) => !values.only || candidate.id === values.only)) {
      const twin = local.find((candidate) => candidate.id === op.id) as BenchOperation;
      await measure(op.run, concurrency, warmup);
      const serverCpuBefore = await processCpuMs(server.pid);
      const clientCpuBefore = process.cpuUsage();
      const serverResult = await measure(op.run, concurrency, budget);
      const clientCpu = process.cpuUsage(clientCpuBefore);
      const serverCpuMs = (await processCpuMs(server.pid)) - serverCpuBefore;
      await measure(twin.run, concurrency, warmup);
      const inProcess = await measure(twin.run, concurrency, budget);
      const runSync = twin.runSync as () => unknown;
      const inProcessOneThread = await measure(async () => runSync(), 1, budget);
      rows.push({
        op,
        server: serverResult,
        inProcess,
        inProcessOneThread,
        serverCpuMs: serverCpuMs / serverResult.operations,
        clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 / serverResult.operations,
      });
    }
    client.close();
    printTable(rows);
  } finally {
    await server.stop();
  }
  if (values.only) return;
  await printManyKeys();
  await printTwoNodeFigures();
  await printBackupRestoreFigures();
  await printTestingStartFigures();
  await printPkcs11Figures();
}

/** The keys operations with the keys in a SoftHSM2 token (--hsm-backend pkcs11) beside software. */
async function printPkcs11Figures(): Promise<void> {
  const rows = await benchPkcs11(concurrency, budget, warmup);
  console.log(`
mhsm keys in a PKCS#11 token (SoftHSM2, --hsm-backend pkcs11) beside the software backend:`);
  console.log("operation                 | software ops/s | pkcs11 ops/s | pkcs11 p50 ms | pkcs11 p99 ms");
  for (const { label, software, pkcs11 } of rows) {
    console.log(
      [
        label.padEnd(25),
        software.opsPerSecond.toFixed(0).padStart(14),
        pkcs11.opsPerSecond.toFixed(0).padStart(12),
        pkcs11.p50Ms.toFixed(2).padStart(13),
        pkcs11.p99Ms.toFixed(2).padStart(13),
      ].join(" | "),
    );
  }
}

/** @mhsm/testing: startMhsm() with the examples' seed to the first answered SDK request. */
async function printTestingStartFigures(): Promise<void> {
  const rows = await benchTestingStart(3);
  console.log(
    "\n@mhsm/testing time to first request (startMhsm with the examples' seed, then getKey), 3 runs:",
  );
  for (const { mode, runsMs } of rows) {
    console.log(
      `${mode.padEnd(13)} | median ${(runsMs[1] as number).toFixed(0)} ms | ${runsMs.map((ms) => ms.toFixed(0)).join(", ")} ms`,
    );
  }
}

async function printManyKeys(): Promise<void> {
  printManyKeysFigures(
    await benchManyKeys(manyKeys, concurrency, budget, warmup, values["server-arg"], assignmentsPerKey),
  );
}

/** One node beside two nodes on one PostgreSQL database, requests alternating between them. */
async function printTwoNodeFigures(): Promise<void> {
  const rows = await benchTwoNodes(concurrency, budget, warmup);
  console.log(`
mhsm two nodes (one PostgreSQL database, this machine's ${availableParallelism()} CPUs shared by both):`);
  console.log("operation                 | 1 node ops/s | 2 nodes ops/s | 2 nodes p50 ms | 2 nodes p99 ms");
  for (const { label, oneNode, twoNodes } of rows) {
    console.log(
      [
        label.padEnd(25),
        oneNode.opsPerSecond.toFixed(0).padStart(12),
        twoNodes.opsPerSecond.toFixed(0).padStart(13),
        twoNodes.p50Ms.toFixed(2).padStart(14),
        twoNodes.p99Ms.toFixed(2).padStart(14),
      ].join(" | "),
    );
  }
}

/**
 * A full backup of the HSM to Azurite and its restore, in keys per second, with the server's
 * peak RSS in each (aims on the 2-core machine: 100,000 keys each under 60 s, under 1 GiB).
 */
async function printBackupRestoreFigures(): Promise<void> {
  const figures = await benchBackupRestore(backupKeys);
  const { keys, backupSeconds, restoreSeconds } = figures;
  const mib = (value: number | undefined) => (value === undefined ? "-" : `${value.toFixed(0)} MiB`);
  console.log(`
mhsm backup and restore of ${keys} keys (made through the API; Azurite, SQLite store):`);
  console.log(`backup  | ${backupSeconds.toFixed(2)} s | ${(keys / backupSeconds).toFixed(0)} keys/s`);
  console.log(`restore | ${restoreSeconds.toFixed(2)} s | ${(keys / restoreSeconds).toFixed(0)} keys/s`);
  console.log(
    `server peak RSS: backup ${mib(figures.backupPeakMiB)}, restore ${mib(figures.restorePeakMiB)} (before the backup: ${mib(figures.baselineMiB)})`,
  );
}

function printTable(rows: Row[]): void {
  const header = [
    "operation",
    "server ops/s",
    "p50 ms",
    "p99 ms",
    "in-process ops/s",
    "ratio",
    "in-process 1 thread",
    "ratio",
    "aim (3x MHSM)",
    "CPU ms/op server+client",
  ];
  const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)}%`;
  const lines = rows.map(({ op, server, inProcess, inProcessOneThread, serverCpuMs, clientCpuMs }) => {
    const aim = PUBLISHED[op.id] ? 3 * (PUBLISHED[op.id] as number) : undefined;
    return [
      op.label,
      server.opsPerSecond.toFixed(0),
      server.p50Ms.toFixed(2),
      server.p99Ms.toFixed(2),
      inProcess.opsPerSecond.toFixed(0),
      percent(server.opsPerSecond, inProcess.opsPerSecond),
      inProcessOneThread.opsPerSecond.toFixed(0),
      percent(server.opsPerSecond, inProcessOneThread.opsPerSecond),
      aim ? `${aim} ${server.opsPerSecond >= aim ? "met" : "missed"}` : "-",
      `${serverCpuMs.toFixed(3)}+${clientCpuMs.toFixed(3)}`,
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => (line[i] as string).length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join(" | ");
  console.log(
    `\nmhsm keys bench: ${concurrency} concurrent clients, ${budget.count ? `${budget.count} operations` : `${budget.seconds} s`} per row, ${availableParallelism()} CPUs`,
  );
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const line of lines) console.log(format(line));
  console.log(
    [
      "",
      "in-process: the same operation with node:crypto in this process at the same concurrency (the async sign uses",
      "  libuv's thread pool, so every core); in-process 1 thread: node:crypto's synchronous call on one thread.",
      "  RSA and EC sign a message here (node hashes it), the server signs its digest: the same signature work.",
      "CPU ms/op: CPU time the server process (all its threads) and this client process spent per operation;",
      "  both share this machine's CPUs, so the sum bounds what one machine can serve.",
    ].join("\n"),
  );
}

function positiveInteger(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer`);
  return value;
}

function positiveNumber(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${flag} must be a positive number`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
