import { chmod, mkdir } from "node:fs/promises";

/** Creates a directory readable by the owner only (the data directory and its folders). */
export async function ensureDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
