import type { Parameters } from "fast-check";

/**
 * fast-check parameters for property and fuzz tests: a fixed seed, so `npm test` runs the same
 * cases every time and a failure reproduces; `npm run fuzz` sets MHSM_FUZZ_SCALE to run many
 * more cases (and MHSM_FUZZ_SEED to explore other ones).
 */
export function fuzzParameters<T>(runsInNpmTest: number): Parameters<T> {
  const scale = Number(process.env.MHSM_FUZZ_SCALE ?? "1");
  const seed = Number(process.env.MHSM_FUZZ_SEED ?? "20261130");
  return {
    numRuns: Math.max(1, Math.round(runsInNpmTest * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    seed,
    endOnFailure: true,
  };
}
