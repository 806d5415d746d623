import { execFile } from "node:child_process";
import { spawnSync } from "node:child_process";
import { mkdir, copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../harness/server-process.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and gives its exit code and output (never throws on failure). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({
          code,
          stdout,
          stderr: stderr + (error && typeof error.code !== "number" ? String(error) : ""),
        });
      },
    );
  });
}

/** `npm` on PATH, with the audit and funding notices off so output stays short. */
export function npm(args: string[], cwd: string, timeoutMs = 300_000): Promise<CommandResult> {
  return run("npm", [...args, "--no-audit", "--no-fund"], {
    cwd,
    timeoutMs,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

/**
 * Copies the files git tracks (as they are in the work tree, uncommitted edits included) to
 * `destination`: what a fresh clone holds, without node_modules, dist or anything ignored.
 */
export async function copyTrackedFiles(destination: string): Promise<void> {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const target = join(destination, file);
    await mkdir(dirname(target), { recursive: true });
    // A tracked file deleted in the work tree is not part of the clone-to-be.
    await copyFile(join(REPO_ROOT, file), target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
}

export function describeFailure(what: string, result: CommandResult): string {
  return `${what} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
