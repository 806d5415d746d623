import { join } from "node:path";
import { type SeedTargets, applySeed } from "./apply-seed.js";
import { loadSeedFile } from "./seed-file.js";
import { type SeededPrincipalCredentials, writeSeededPrincipalsFile } from "./seeded-principals-file.js";

export { SeedError } from "./seed-error.js";
export type { SeedTargets } from "./apply-seed.js";

/**
 * `--seed <file>`: reads and checks the file, applies it through the HSM's services (before the
 * server listens), and gives what to do once the URLs are known: write the seeded principals'
 * credentials to <data-dir>/seeded-principals.json.
 */
export async function seedHsm(seedFile: string, dataDir: string, targets: SeedTargets) {
  const principals = await applySeed(await loadSeedFile(seedFile), targets);
  return {
    principals,
    writeCredentials: (
      common: Pick<SeededPrincipalCredentials, "tenantId" | "tokenEndpoint" | "vaultUrl" | "caFile">,
    ) => writeSeededPrincipalsFile(join(dataDir, "seeded-principals.json"), principals, common),
  };
}
