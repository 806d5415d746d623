import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BlobServiceClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import { REPO_ROOT, stopProcess } from "./server-process.js";
import { waitFor } from "./wait-for.js";

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  port: number;
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  accountUrl: string;
  service: BlobServiceClient;
  /** Creates a container and returns its URL. */
  createContainer(name: string): Promise<string>;
  /** A container SAS (query string, no "?"). */
  sas(container: string, options?: { permissions?: string; expiresInSeconds?: number }): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as import("node:net").AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the real Azure Storage emulator (blob service only) on a free loopback port. */
export async function startAzurite(): Promise<Azurite> {
  const location = await mkdtemp(join(tmpdir(), "mhsm-azurite-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(REPO_ROOT, "node_modules/azurite/dist/src/blob/main.js"),
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--skipApiVersionCheck",
      "--silent",
      "--inMemoryPersistence",
    ],
    // Azurite may still write a debug log or lock file: keep it out of the working tree.
    { stdio: ["ignore", "pipe", "pipe"], cwd: location },
  );
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const accountUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const service = new BlobServiceClient(accountUrl, credential, { retryOptions: { maxTries: 1 } });
  try {
    const state = await waitFor(
      async () => {
        if (child.exitCode !== null) return "exited";
        await service.getProperties();
        return "answering";
      },
      { what: "Azurite to answer", timeoutMs: 30_000, intervalMs: 200, retryErrors: true },
    );
    if (state === "exited") throw new Error(`it exited with ${child.exitCode}`);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`Azurite did not start: ${String(error)}\n${output}`);
  }
  return {
    port,
    accountUrl,
    service,
    async createContainer(name) {
      await service.getContainerClient(name).createIfNotExists();
      return `${accountUrl}/${name}`;
    },
    sas(container, options = {}) {
      const now = Date.now();
      return generateBlobSASQueryParameters(
        {
          containerName: container,
          permissions: ContainerSASPermissions.parse(options.permissions ?? "rwdlc"),
          startsOn: new Date(now - 5 * 60_000),
          expiresOn: new Date(now + (options.expiresInSeconds ?? 3600) * 1000),
        },
        credential,
      ).toString();
    },
    async stop() {
      await stopProcess(child);
      await rm(location, { recursive: true, force: true });
    },
  };
}
