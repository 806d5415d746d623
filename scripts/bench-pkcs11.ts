/**
 * The keys operations of `npm run bench` on a server with --hsm-backend pkcs11 (a throwaway
 * SoftHSM2 token), beside the same operations on the software backend: what putting the keys in
 * a PKCS#11 token costs. SoftHSM2 is software too; a real HSM's figures are its own.
 */
import { createSoftHsmToken, pkcs11ServeOptions } from "../test/harness/softhsm.js";
import { BenchHttpsClient } from "./bench-client.js";
import { type Budget, type Measurement, measure } from "./bench-measure.js";
import { serverOperations } from "./bench-operations.js";
import { startBenchServer } from "./bench-server.js";

export interface Pkcs11BenchRow {
  label: string;
  software: Measurement;
  pkcs11: Measurement;
}

async function measureServer(
  extraArgs: string[],
  concurrency: number,
  budget: Budget,
  warmup: Budget,
): Promise<Array<{ label: string; result: Measurement }>> {
  const server = await startBenchServer(extraArgs);
  try {
    const client = new BenchHttpsClient(server.url, server.ca, server.token, concurrency);
    const rows: Array<{ label: string; result: Measurement }> = [];
    for (const op of await serverOperations(client)) {
      await measure(op.run, concurrency, warmup);
      rows.push({ label: op.label, result: await measure(op.run, concurrency, budget) });
    }
    client.close();
    return rows;
  } finally {
    await server.stop();
  }
}

export async function benchPkcs11(
  concurrency: number,
  budget: Budget,
  warmup: Budget,
): Promise<Pkcs11BenchRow[]> {
  const software = await measureServer([], concurrency, budget, warmup);
  const token = createSoftHsmToken("mhsm-bench");
  const options = pkcs11ServeOptions(token);
  // The bench server inherits this process's environment: the token's SOFTHSM2_CONF and PIN.
  const saved = Object.fromEntries(Object.keys(options.env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, options.env);
  try {
    const pkcs11 = await measureServer(options.args, concurrency, budget, warmup);
    return software.map(({ label, result }) => ({
      label,
      software: result,
      pkcs11: pkcs11.find((row) => row.label === label)?.result as Measurement,
    }));
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    token.remove();
  }
}
