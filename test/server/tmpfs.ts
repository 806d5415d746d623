import { execFile } from "node:child_process";
import { mkdtemp, open, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A small real tmpfs, to run the server on a disk that fills up. Needs root (CI runs as root). */
export interface Tmpfs {
  dir: string;
  /** Writes a filler file until the filesystem has no byte left. */
  fill(): Promise<void>;
  /** Deletes the filler: space returns. */
  free(): Promise<void>;
  /** Unmounts and removes the mount point (always call it, in a finally/after). */
  unmount(): Promise<void>;
}

export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), "mhsm-tmpfs-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0700`, "tmpfs", dir]);
  } catch (error) {
    await rmdir(dir).catch(() => undefined);
    throw new Error(
      `These tests need a real full disk: mounting a tmpfs at ${dir} failed (run them as root, as CI does): ${(error as Error).message}`,
    );
  }
  const filler = join(dir, "filler");
  return {
    dir,
    async fill() {
      const file = await open(filler, "a");
      try {
        // Big chunks first, then ever smaller ones, until not one byte fits.
        for (let size = 1 << 20; size >= 1; size = Math.floor(size / 4)) {
          const chunk = Buffer.alloc(size, 0x78);
          for (;;) {
            try {
              await file.write(chunk);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
              throw error;
            }
          }
        }
      } finally {
        await file.close();
      }
    },
    async free() {
      await rm(filler, { force: true });
    },
    async unmount() {
      await run("umount", ["-l", dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
