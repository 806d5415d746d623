const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 120;

/**
 * What a person sees while a backup or restore runs, on stderr so stdout keeps only the result:
 * at a terminal one live line (spinner, job, status, elapsed time) redrawn in place; in a log or
 * a pipe a plain line whenever the status changes. Either way a last line says how it ended.
 */
export class JobProgress {
  private readonly started = Date.now();
  private readonly live: boolean;
  private status = "";
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.live = Boolean(stream.isTTY) && process.env.TERM !== "dumb";
  }

  update(status: string): void {
    if (status === this.status) return;
    this.status = status;
    if (this.live) {
      this.timer ??= setInterval(() => this.redraw(), REDRAW_MS);
      this.redraw();
    } else {
      this.stream.write(`${this.label}: ${status} (${formatElapsed(this.elapsedMs())})\n`);
    }
  }

  /** The last line: the final status (or why waiting stopped), and how long it took. */
  finish(outcome: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const line = `${this.label}: ${outcome} after ${formatElapsed(this.elapsedMs())}`;
    this.stream.write(this.live ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  private redraw(): void {
    const spinner = SPINNER[this.frame++ % SPINNER.length];
    this.stream.write(
      `\r\x1b[2K${spinner} ${this.label}: ${this.status} · ${formatElapsed(this.elapsedMs())}`,
    );
  }

  private elapsedMs(): number {
    return Date.now() - this.started;
  }
}

/** 7s, 2m05s, 1h02m03s. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${pad(minutes)}m${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m${pad(seconds)}s`;
  return `${seconds}s`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
