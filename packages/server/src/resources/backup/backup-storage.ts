import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { ContainerClient, RestError, StorageSharedKeyCredential } from "@azure/storage-blob";
import { JobFailure } from "../../platform/jobs/job-model.js";
import { type BackupLocation, leadsInside } from "./backup-location.js";
import { redactSas } from "./sas-token.js";

/** What backup and restore need from a place to keep blobs, relative to the backup's folder. */
export interface BackupStorage {
  write(name: string, data: Buffer): Promise<void>;
  /** undefined when there is no such blob. */
  read(name: string): Promise<Buffer | undefined>;
  /** Names under the folder, relative to it. */
  list(): Promise<string[]>;
  /** Removes what a backup that did not complete wrote, where the storage can. */
  discard?(): Promise<void>;
}

export type StorageCredential = { sasQuery: string } | { accountName: string; accountKey: string };

/** Opens the location for one backup folder. */
export function openBackupStorage(
  location: BackupLocation,
  credential: StorageCredential | undefined,
): BackupStorage {
  if (location.kind === "local") return new LocalFolderStorage(location.root, location.folder);
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

/**
 * A folder on this machine (the embedded default: no storage service needed). Every path is
 * checked with symbolic links resolved: nothing is read or written outside the backup root.
 * A write that fails (a full disk) fails the job as a storage error with the reason.
 */
class LocalFolderStorage implements BackupStorage {
  readonly #dir: string;

  constructor(
    private readonly root: string,
    folder: string,
  ) {
    this.#dir = join(root, folder);
  }

  async write(name: string, data: Buffer): Promise<void> {
    const target = join(this.#dir, name);
    const partial = `${target}.partial`;
    try {
      await this.#checkInside(dirname(target));
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await this.#checkInside(dirname(target));
      // Write then rename: a reader never sees half a blob. "wx": never through a planted link.
      await rm(partial, { force: true });
      await writeFile(partial, data, { mode: 0o600, flag: "wx" });
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      if (error instanceof JobFailure) throw error;
      throw new JobFailure("StorageError", `Cannot write the local backup: ${describeFsError(error)}`);
    }
  }

  async read(name: string): Promise<Buffer | undefined> {
    const target = join(this.#dir, name);
    try {
      await this.#checkInside(target);
      return await readFile(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      if (error instanceof JobFailure) throw error;
      throw new JobFailure("StorageError", `Cannot read the local backup: ${describeFsError(error)}`);
    }
  }

  async list(): Promise<string[]> {
    try {
      await this.#checkInside(this.#dir);
      const entries = await readdir(this.#dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(this.#dir, join(entry.parentPath, entry.name)).split(sep).join("/"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      if (error instanceof JobFailure) throw error;
      throw new JobFailure("StorageError", `Cannot list the local backup folder: ${describeFsError(error)}`);
    }
  }

  /** Removes the folder of a backup that did not complete (only this storage's own folder). */
  async discard(): Promise<void> {
    if (this.#dir === this.root) return;
    if (!(await leadsInside(this.#dir, this.root))) return;
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #checkInside(path: string): Promise<void> {
    if (!(await leadsInside(path, this.root))) {
      throw new JobFailure(
        "StorageError",
        "The local backup folder leads outside the backup root (a symbolic link); nothing was read or written there.",
      );
    }
  }
}

/** "no space left on device (ENOSPC)": the reason without the server's paths. */
function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = String(message ?? error)
    .replace(/^[A-Z]+:\s*/, "")
    .replace(/,\s*(open|write|mkdir|rename|scandir|read)\b.*$/s, "");
  return code ? `${text} (${code})` : text;
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
