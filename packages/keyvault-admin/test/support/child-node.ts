import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../../../../test/harness/server-process.js";

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a file in a new `node` process, with the given environment on top of ours: TypeScript as a
 * user would (`node --import tsx`), JavaScript as it is. Rejects if it does not end within
 * `timeoutMs`.
 */
export function runNode(
  file: string,
  env: Record<string, string>,
  { args = [], timeoutMs = 60_000 }: { args?: string[]; timeoutMs?: number } = {},
): Promise<NodeRun> {
  const loader = /\.m?ts$/.test(file) ? ["--import", "tsx"] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, file, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A scratch folder for generated scripts, inside the repository's node_modules so that their
 * imports (`@mhsm/keyvault-admin`, `@azure/identity`) resolve as in a user's project.
 */
export async function scratchDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
  const parent = join(REPO_ROOT, "node_modules", ".cache");
  await mkdir(parent, { recursive: true });
  const path = await mkdtemp(join(parent, "mhsm-keyvault-admin-"));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

export async function writeScript(dir: string, name: string, source: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, source);
  return file;
}
