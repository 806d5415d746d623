import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * This server node's id, kept in its data directory so it survives restarts: jobs leased to it
 * that are not running after a restart died with its previous process, and can be failed at once.
 */
export async function loadOrCreateNodeId(dataDir: string): Promise<string> {
  const file = join(dataDir, "node-id");
  try {
    const id = (await readFile(file, "utf8")).trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const id = randomUUID();
  await writeFile(file, `${id}\n`, { mode: 0o600 });
  return id;
}
