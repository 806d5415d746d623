import { readFile, readdir, writeFile } from "node:fs/promises";

/**
 * Peak resident memory of another process, from Linux's /proc: VmHWM is the high-water mark of
 * its RSS, and writing 5 to clear_refs starts that mark again from the RSS of now, so one phase
 * (a backup, then a restore) is measured on its own. Elsewhere (no /proc) it answers undefined.
 */
export class PeakRss {
  private constructor(private readonly pid: number) {}

  /** The process whose command line contains `marker` (e.g. its unique data directory). */
  static async ofProcessWith(marker: string): Promise<PeakRss | undefined> {
    const entries = await readdir("/proc").catch(() => [] as string[]);
    for (const entry of entries) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes(marker) && cmdline.includes("serve")) return new PeakRss(Number(entry));
    }
    return undefined;
  }

  /** Starts a new high-water mark from the present RSS. */
  async reset(): Promise<void> {
    await writeFile(`/proc/${this.pid}/clear_refs`, "5");
  }

  /** The highest RSS since the last reset, in MiB. */
  async peakMiB(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, "utf8");
    const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return kib / 1024;
  }
}
