/**
 * The two-node figure, for `npm run bench`: the same operations against one node and against
 * two nodes sharing one PostgreSQL database (requests alternate between the nodes, as a load
 * balancer would send them). Both on this machine, so the nodes share its cores: the figure
 * shows what the shared store and cross-node machinery cost, not what two machines would give.
 */
import { startCluster } from "../test/multinode/cluster.js";
import { adminToken } from "../test/harness/principals.js";
import { rawRequest } from "../test/harness/https-client.js";
import type { ServerProcess } from "../test/harness/server-process.js";
import { BenchHttpsClient } from "./bench-client.js";
import { type Budget, type Measurement, measure } from "./bench-measure.js";
import { type BenchOperation, serverOperations } from "./bench-operations.js";

const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";

export interface TwoNodeRow {
  label: string;
  oneNode: Measurement;
  twoNodes: Measurement;
}

export async function benchTwoNodes(
  concurrency: number,
  budget: Budget,
  warmup: Budget,
): Promise<TwoNodeRow[]> {
  const cluster = await startCluster(2);
  try {
    const [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    const token = await adminToken(a);
    const granted = await rawRequest(a, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=7.5`,
      token,
      body: { properties: { roleDefinitionId: CRYPTO_USER, principalId: a.admin.objectId } },
    });
    if (granted.status !== 201) throw new Error(`role assignment failed: ${granted.text}`);
    const clientA = new BenchHttpsClient(a.url, a.ca, token, concurrency);
    const clientB = new BenchHttpsClient(b.url, b.ca, token, concurrency);
    const onA = await serverOperations(clientA);
    // The keys exist now; node B's operations use the same names (created again: a new version).
    const onB = await serverOperations(clientB);
    const rows: TwoNodeRow[] = [];
    for (const op of onA) {
      const twin = onB.find((candidate) => candidate.id === op.id) as BenchOperation;
      let turn = 0;
      const alternate = () => (turn++ % 2 === 0 ? op.run() : twin.run());
      await measure(op.run, concurrency, warmup);
      const oneNode = await measure(op.run, concurrency, budget);
      await measure(alternate, concurrency, warmup);
      const twoNodes = await measure(alternate, concurrency, budget);
      rows.push({ label: op.label, oneNode, twoNodes });
    }
    clientA.close();
    clientB.close();
    return rows;
  } finally {
    await cluster.dispose();
  }
}
