/**
 * The "many keys" part of `npm run bench`: the cost of a request as the HSM holds more keys.
 * Creates N keys (EC P-256), then measures get key and ES256 sign on one hot key and round-robin
 * over all N (each request on the next key, so with N above what the caches hold every request
 * is a miss), lists every key page by page (25 a page, the SDKs' default), and measures the
 * round-robin get again once the HSM holds 10 role assignments per key scope (N × 10 in all, of
 * ten other principals, under the default per-key-scope limit of 10): the RBAC decision for the
 * caller reads only its own assignments at the key, "/keys" and "/".
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { BenchHttpsClient } from "./bench-client.js";
import { type Budget, type Measurement, measure } from "./bench-measure.js";
import { startBenchServer } from "./bench-server.js";

const API = "api-version=7.5";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const DIGEST = createHash("sha256").update(randomBytes(64)).digest().toString("base64url");

export interface ManyKeysFigures {
  keys: number;
  createSeconds: number;
  rows: Array<{ label: string; hot: Measurement; roundRobin: Measurement }>;
  listing: { pages: number; seconds: number; msPerPage: number; firstPagesMs: number };
  assignments: { count: number; createSeconds: number; roundRobin: Measurement } | undefined;
}

export async function benchManyKeys(
  keys: number,
  concurrency: number,
  budget: Budget,
  warmup: Budget,
  serverArgs: string[],
  /** Role assignments per key scope for the last figure; 0 leaves it out (a profile of misses alone). */
  assignmentsPerKey = 10,
): Promise<ManyKeysFigures> {
  const server = await startBenchServer(serverArgs);
  const client = new BenchHttpsClient(server.url, server.ca, server.token, concurrency);
  try {
    const name = (i: number) => `many-${String(i).padStart(6, "0")}`;
    const createStart = process.hrtime.bigint();
    const body = JSON.stringify({ kty: "EC-HSM", crv: "P-256" });
    await inParallel(keys, concurrency, (i) => client.send("POST", `/keys/${name(i)}/create?${API}`, body));
    const createSeconds = seconds(createStart);

    const sign = JSON.stringify({ alg: "ES256", value: DIGEST });
    const operations = [
      { label: "get key", run: (key: string) => client.send("GET", `/keys/${key}?${API}`) },
      {
        label: "EC P-256 ES256 sign",
        run: (key: string) => client.send("POST", `/keys/${key}/sign?${API}`, sign),
      },
    ];
    const roundRobin = (run: (key: string) => Promise<unknown>) => {
      let next = 0;
      return () => run(name(next++ % keys));
    };
    const rows = [];
    for (const op of operations) {
      const hot = () => op.run(name(0));
      await measure(hot, concurrency, warmup);
      const hotResult = await measure(hot, concurrency, budget);
      // One full round first, so the round-robin measures a steady state, not the first opening.
      await measure(roundRobin(op.run), concurrency, { count: keys });
      const spread = await measure(roundRobin(op.run), concurrency, budget);
      rows.push({ label: op.label, hot: hotResult, roundRobin: spread });
    }

    const listing = await listAllKeys(client);
    if (assignmentsPerKey === 0) return { keys, createSeconds, rows, listing, assignments: undefined };

    const assignmentsStart = process.hrtime.bigint();
    const principals = Array.from({ length: assignmentsPerKey }, () => randomUUID());
    await inParallel(keys * principals.length, concurrency, (i) => {
      const key = name(Math.floor(i / principals.length));
      const assignment = JSON.stringify({
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
          principalId: principals[i % principals.length],
        },
      });
      return client.send(
        "PUT",
        `/keys/${key}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${API}`,
        assignment,
        201,
      );
    });
    const assignmentsSeconds = seconds(assignmentsStart);
    const get = operations[0] as (typeof operations)[number];
    await measure(roundRobin(get.run), concurrency, { count: keys });
    const withAssignments = await measure(roundRobin(get.run), concurrency, budget);
    return {
      keys,
      createSeconds,
      rows,
      listing,
      assignments: {
        count: keys * principals.length,
        createSeconds: assignmentsSeconds,
        roundRobin: withAssignments,
      },
    };
  } finally {
    client.close();
    await server.stop();
  }
}

/** Every key, page by page as an SDK reads them (25 a page), following each nextLink. */
async function listAllKeys(client: BenchHttpsClient) {
  const start = process.hrtime.bigint();
  let pages = 0;
  let firstPagesMs = 0;
  let path: string | null = `/keys?${API}&maxresults=25`;
  while (path) {
    const page = (await client.send("GET", path)) as { nextLink: string | null };
    pages++;
    if (pages === 10) firstPagesMs = seconds(start) * 1000;
    path = page.nextLink ? `${new URL(page.nextLink).pathname}${new URL(page.nextLink).search}` : null;
  }
  const total = seconds(start);
  return { pages, seconds: total, msPerPage: (total * 1000) / pages, firstPagesMs: firstPagesMs / 10 };
}

/** Runs work(0..count-1) from `concurrency` loops. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  const loop = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

export function printManyKeysFigures(figures: ManyKeysFigures): void {
  const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)}%`;
  console.log(`
mhsm with many keys: ${figures.keys} EC P-256 keys (created in ${figures.createSeconds.toFixed(1)} s), one request per key round-robin:`);
  console.log(
    "operation                 | 1 hot key ops/s | round-robin ops/s | ratio (aim 80%) | round-robin p99 ms",
  );
  for (const { label, hot, roundRobin } of figures.rows) {
    console.log(
      [
        label.padEnd(25),
        hot.opsPerSecond.toFixed(0).padStart(15),
        roundRobin.opsPerSecond.toFixed(0).padStart(17),
        percent(roundRobin.opsPerSecond, hot.opsPerSecond).padStart(15),
        roundRobin.p99Ms.toFixed(2).padStart(18),
      ].join(" | "),
    );
  }
  const { listing, assignments } = figures;
  const firstPages =
    listing.pages >= 10 ? ` (the first 10 pages: ${listing.firstPagesMs.toFixed(2)} ms a page)` : "";
  console.log(
    `list all keys, 25 a page  | ${listing.pages} pages in ${listing.seconds.toFixed(2)} s | ${listing.msPerPage.toFixed(2)} ms a page${firstPages}`,
  );
  if (!assignments) return;
  const before = figures.rows[0]?.roundRobin.opsPerSecond ?? 0;
  console.log(
    `get key round-robin with ${assignments.count} role assignments (${assignments.count / figures.keys} per key scope, made in ${assignments.createSeconds.toFixed(1)} s) | ${assignments.roundRobin.opsPerSecond.toFixed(0)} ops/s | ${percent(assignments.roundRobin.opsPerSecond, before)} of the rate without them | p99 ${assignments.roundRobin.p99Ms.toFixed(2)} ms`,
  );
}
