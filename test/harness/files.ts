import { readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every file under a directory, recursively: what tests search when they show that no secret
 * reached a data directory, a backup folder or a token's files in any encoding.
 */
export async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}
