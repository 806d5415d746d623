// Starts a throwaway PostgreSQL cluster, runs `node <args>` with MHSM_TEST_POSTGRES_URL set (every
// test server then gets its own database on it), stops the cluster, exits with the tests' status.
import { spawnSync } from "node:child_process";
import { startPostgres } from "../test/harness/postgres.js";

const postgres = await startPostgres();
let status = 1;
try {
  const result = spawnSync(process.execPath, process.argv.slice(2), {
    stdio: "inherit",
    env: { ...process.env, MHSM_TEST_POSTGRES_URL: postgres.url },
  });
  status = result.status ?? 1;
} finally {
  postgres.stop();
}
process.exit(status);
