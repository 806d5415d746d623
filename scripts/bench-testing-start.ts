/**
 * The @mhsm/testing figure, for `npm run bench`: time from `startMhsm()` to the first answered
 * SDK request (a KeyClient getKey as a seeded principal), in a child process and in this one,
 * with packages/testing/examples/hsm-seed.json (so seeding, with an RSA-3072 key to generate,
 * is part of it). A figure, never an assertion: it varies with the machine.
 */
import { KeyClient } from "@azure/keyvault-keys";
import { startMhsm } from "@mhsm/testing";

const SEED = new URL("../packages/testing/examples/hsm-seed.json", import.meta.url).pathname;

export interface StartRow {
  mode: string;
  /** Milliseconds of each run, sorted. */
  runsMs: number[];
}

export async function benchTestingStart(runs: number): Promise<StartRow[]> {
  const rows: StartRow[] = [];
  for (const inProcess of [false, true]) {
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const hsm = await startMhsm({ seed: SEED, inProcess });
      try {
        const app = await hsm.principal("app");
        await new KeyClient(hsm.url, app, hsm.clientOptions).getKey("payments");
        runsMs.push(performance.now() - started);
      } finally {
        await hsm.stop();
      }
    }
    rows.push({ mode: inProcess ? "in process" : "child process", runsMs: runsMs.sort((a, b) => a - b) });
  }
  return rows;
}
