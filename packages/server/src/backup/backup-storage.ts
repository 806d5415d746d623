import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { ContainerClient, RestError, StorageSharedKeyCredential } from "@azure/storage-blob";
import { JobFailure } from "../jobs/job-model.js";
import type { BackupLocation } from "./backup-location.js";
import { redactSas } from "./sas-token.js";

/** What backup and restore need from a place to keep blobs, relative to the backup's folder. */
export interface BackupStorage {
  write(name: string, data: Buffer): Promise<void>;
  /** undefined when there is no such blob. */
  read(name: string): Promise<Buffer | undefined>;
  /** Names under the folder, relative to it. */
  list(): Promise<string[]>;
}

export type StorageCredential = { sasQuery: string } | { accountName: string; accountKey: string };

/** Opens the location for one backup folder. */
export function openBackupStorage(
  location: BackupLocation,
  credential: StorageCredential | undefined,
): BackupStorage {
  if (location.kind === "local") return new LocalFolderStorage(join(location.root, location.folder));
  if (!credential)
    throw new JobFailure("BadRequest", "A SAS token or useManagedIdentity is required for blob storage.");
  return new AzureContainerStorage(location.containerUrl, location.folder, credential);
}

/**
 * A folder in an Azure blob container, through @azure/storage-blob. Storage errors become job
 * failures carrying the storage service's own code and message, with any SAS signature removed.
 */
class AzureContainerStorage implements BackupStorage {
  readonly #container: ContainerClient;

  constructor(
    containerUrl: string,
    private readonly folder: string,
    credential: StorageCredential,
  ) {
    // Few, quick retries: an unreachable or refusing storage account should fail the job in
    // seconds with the reason, not after minutes of back-off.
    const pipelineOptions = {
      retryOptions: { maxTries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 2000, tryTimeoutInMs: 60_000 },
    };
    this.#container =
      "sasQuery" in credential
        ? new ContainerClient(`${containerUrl}?${credential.sasQuery}`, undefined, pipelineOptions)
        : new ContainerClient(
            containerUrl,
            new StorageSharedKeyCredential(credential.accountName, credential.accountKey),
            pipelineOptions,
          );
  }

  async write(name: string, data: Buffer): Promise<void> {
    await storageCall(() => this.#container.getBlockBlobClient(this.path(name)).uploadData(data));
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await this.#container.getBlobClient(this.path(name)).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404 && errorCode(error) === "BlobNotFound")
        return undefined;
      throw storageFailure(error);
    }
  }

  async list(): Promise<string[]> {
    const prefix = this.folder ? `${this.folder}/` : "";
    const names: string[] = [];
    await storageCall(async () => {
      for await (const blob of this.#container.listBlobsFlat({ prefix }))
        names.push(blob.name.slice(prefix.length));
    });
    return names;
  }

  private path(name: string): string {
    return this.folder ? `${this.folder}/${name}` : name;
  }
}

/** A folder on this machine (the embedded default: no storage service needed). */
class LocalFolderStorage implements BackupStorage {
  constructor(private readonly dir: string) {}

  async write(name: string, data: Buffer): Promise<void> {
    const target = join(this.dir, name);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees half a blob.
    await writeFile(`${target}.partial`, data, { mode: 0o600 });
    await rename(`${target}.partial`, target);
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new JobFailure("StorageError", `Cannot read the local backup: ${(error as Error).message}`);
    }
  }

  async list(): Promise<string[]> {
    try {
      const entries = await readdir(this.dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(this.dir, join(entry.parentPath, entry.name)).split(sep).join("/"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new JobFailure(
        "StorageError",
        `Cannot list the local backup folder: ${(error as Error).message}`,
      );
    }
  }
}

async function storageCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storageFailure(error);
  }
}

function errorCode(error: RestError): string | undefined {
  const details = (error as RestError & { details?: { errorCode?: string } }).details;
  return details?.errorCode ?? error.code;
}

/** The storage service's verdict, as the job's error: "<code>: <message>", SAS-free. */
export function storageFailure(error: unknown): JobFailure {
  if (error instanceof JobFailure) return error;
  if (error instanceof RestError) {
    const code = errorCode(error) ?? "StorageError";
    const status = error.statusCode ? ` (HTTP ${error.statusCode})` : "";
    const message = redactSas((error.message || "").split("\n")[0] ?? "");
    return new JobFailure(
      "StorageError",
      `Azure Storage refused the request${status}: ${code}: ${message}`.trim(),
    );
  }
  return new JobFailure(
    "StorageError",
    `Azure Storage could not be reached: ${redactSas((error as Error).message ?? String(error))}`,
  );
}
