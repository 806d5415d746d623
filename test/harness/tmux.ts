import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { waitFor } from "./wait-for.js";

const run = promisify(execFile);

export interface TmuxPane {
  /** The pane's text as a person sees it (no colours), trailing blank lines dropped. */
  capture(): Promise<string>;
  /** The same with the terminal's colour codes. */
  captureWithEscapes(): Promise<string>;
  /** Copies everything the pane's program writes, control codes included, into `file`. */
  record(file: string): Promise<void>;
  /** Polls the pane until its text contains `marker` (the command's own end line). */
  waitFor(marker: string, timeoutMs?: number): Promise<string>;
  /** Types `text` into the pane, then Enter: as a person at the keyboard would. */
  type(text: string): Promise<void>;
  kill(): Promise<void>;
}

let panes = 0;

/**
 * A real terminal for a command: a detached tmux session of a fixed size on a private socket,
 * so a test sees what a person at a terminal would (isTTY, colours, redrawn lines).
 */
export async function startTmuxPane(options: {
  command: string;
  width: number;
  height: number;
  env?: Record<string, string>;
}): Promise<TmuxPane> {
  const socket = `mhsm-test-${process.pid}-${++panes}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, TERM: "xterm-256color" };
  delete env.TMUX;
  const tmux = (...args: string[]) => run("tmux", ["-L", socket, ...args], { env });
  await tmux(
    "new-session",
    "-d",
    "-s",
    "test",
    "-x",
    String(options.width),
    "-y",
    String(options.height),
    options.command,
  );
  const capture = async (escapes: boolean) =>
    (await tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "test")).stdout.replace(/\n+$/, "\n");
  return {
    capture: () => capture(false),
    captureWithEscapes: () => capture(true),
    async record(file) {
      await tmux("pipe-pane", "-o", "-t", "test", `cat >> '${file}'`);
    },
    waitFor(marker, timeoutMs = 60_000) {
      return waitFor(() => capture(false), {
        what: `the pane to show '${marker}'`,
        timeoutMs,
        intervalMs: 200,
        until: (text) => text.includes(marker),
      });
    },
    async type(text) {
      await tmux("send-keys", "-t", "test", "-l", text);
      await tmux("send-keys", "-t", "test", "Enter");
    },
    async kill() {
      await tmux("kill-server").catch(() => undefined);
    },
  };
}

/** A single-quoted shell word. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}
