/** Runs an operation from `concurrency` loops for a time or a number of operations; counts and times it. */
export interface Measurement {
  operations: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export type Budget = { seconds: number; count?: undefined } | { count: number; seconds?: undefined };

export async function measure(
  run: () => Promise<unknown>,
  concurrency: number,
  budget: Budget,
): Promise<Measurement> {
  const latencies: number[] = [];
  let started = 0;
  const start = process.hrtime.bigint();
  const deadline =
    budget.seconds !== undefined ? start + BigInt(Math.round(budget.seconds * 1e9)) : undefined;
  const more = () =>
    budget.count !== undefined ? started < budget.count : process.hrtime.bigint() < (deadline as bigint);
  const loop = async () => {
    while (more()) {
      started++;
      const t0 = process.hrtime.bigint();
      await run();
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    operations: latencies.length,
    seconds,
    opsPerSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
