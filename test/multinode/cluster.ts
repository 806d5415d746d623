import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Postgres, createDatabase, startPostgres } from "../harness/postgres.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

export const PUBLIC_URL = "https://mhsm.cluster.test:8443";

export interface Cluster {
  storeUrl: string;
  nodes: ServerProcess[];
  /** Starts another node on the same database and domain key. */
  addNode(extraArgs?: string[]): Promise<ServerProcess>;
  /** Restarts a killed or stopped node on its data directory. */
  restart(index: number): Promise<ServerProcess>;
  dispose(): Promise<void>;
}

/**
 * N mhsm nodes serving one HSM: one PostgreSQL database, one domain key and node key (copied
 * into each node's data directory, as an operator would distribute them), one public URL (so a token from
 * any node's identity provider is valid on every node). Each node has its own data directory,
 * CA and port; tests talk to nodes directly, as a load balancer would.
 */
export async function startCluster(size: number, extraArgs: string[] = []): Promise<Cluster> {
  const shared = process.env.MHSM_TEST_POSTGRES_URL;
  const postgres: Postgres | undefined = shared ? undefined : await startPostgres();
  const storeUrl = await createDatabase(
    shared ?? (postgres as Postgres).url,
    `mhsm_cluster_${process.pid}_${Date.now()}`,
  );
  const common = ["--store", storeUrl, "--public-url", PUBLIC_URL, ...extraArgs];
  const first = await startServerProcess({ args: common });
  const nodes: ServerProcess[] = [first];
  const nodeArgs: string[][] = [common];

  async function addNode(more: string[] = []): Promise<ServerProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-node-"));
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // One HSM, one set of keys: every node gets the domain key and the node key (which seals the
    // identity provider's signing key and principal secrets kept in the shared database).
    for (const file of ["domain.key", "node.key"])
      await copyFile(join(first.dataDir, file), join(dataDir, file));
    const node = await startServerProcess({ dataDir, args: [...common, ...more], admin: first.admin });
    nodes.push(node);
    nodeArgs.push([...common, ...more]);
    return node;
  }
  for (let i = 1; i < size; i++) await addNode();

  return {
    storeUrl,
    nodes,
    addNode,
    async restart(index) {
      const old = nodes[index] as ServerProcess;
      const node = await startServerProcess({
        dataDir: old.dataDir,
        args: nodeArgs[index],
        admin: index === 0 ? undefined : first.admin,
      });
      nodes[index] = node;
      return node;
    },
    async dispose() {
      await Promise.all(nodes.map((node) => node.dispose()));
      postgres?.stop();
    },
  };
}
