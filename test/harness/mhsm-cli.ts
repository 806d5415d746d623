import { spawn } from "node:child_process";
import { MHSM_BIN } from "./server-process.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to the command's stdin, then closed (for flags given as `-`). */
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Runs the built `mhsm` binary to completion, as a user's shell would, optionally feeding its
 * stdin. Its stdout is a pipe, not a terminal (so its default output is JSON).
 */
export function runMhsmCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MHSM_BIN, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mhsm ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
