import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { JobContext, JobHandler, JobOutcome } from "../../platform/jobs/job-runner.js";
import { JobFailure, type JobKind } from "../../platform/jobs/job-model.js";
import { KEY_NAME_PATTERN } from "../../platform/authorization/scope.js";
import type { Store } from "../../platform/store/store.js";
import type { JobRepository } from "../../platform/jobs/job-repository.js";
import type { SnapshotRepository } from "./snapshot-repository.js";

/** A store with the repositories backups and restores use. */
export type BackupStore = Store<{ snapshots: SnapshotRepository; jobs: JobRepository }>;
import { HSM_STATE_TABLES, type Row, lowerKeyScope } from "./snapshot-repository.js";
import {
  BackupKeyring,
  DEFAULT_ROWS_PER_CHUNK,
  type Manifest,
  type ManifestChunk,
  type TablePages,
  VerifiedBackup,
  writeBackup,
} from "./backup-format.js";
import { type BackupLocation, parseBackupLocation } from "./backup-location.js";
import { type StorageCredential, openBackupStorage } from "./backup-storage.js";
import { parseSasToken } from "./sas-token.js";
import { describeSelectiveRestore, restoreKeyFromBackup } from "./selective-key-restore.js";

/** Where and how: the wire's SASTokenParameter. */
export interface StorageParameters {
  storageResourceUri?: string | null;
  token?: string | null;
  useManagedIdentity?: boolean | null;
}

/** What a job row keeps (sealed) to run the job. */
interface StoredRequest {
  storage: StorageParameters;
  folder?: string;
  keyName?: string;
}

export interface BackupServiceOptions<S extends BackupStore = BackupStore> {
  hsmName: string;
  localBackupRoots: string[];
  storageIdentity: { accountName: string; accountKey: string } | undefined;
  /**
   * The blob endpoint of the storage identity's account, the only place its credential is used
   * (default https://<account>.blob.core.windows.net; an emulator's, e.g.
   * http://127.0.0.1:10000/devstoreaccount1, by configuration).
   */
  storageBlobEndpoint?: string;
  /** Runs inside the restore's transaction, after the HSM state was replaced (e.g. re-grant configured admins). */
  afterRestoreInTransaction: (tx: S) => Promise<void>;
  /** Runs after a restore committed (e.g. drop caches). */
  afterRestore: () => void;
  /** Rows per backup chunk (DEFAULT_ROWS_PER_CHUNK): what a backup or restore holds at once. */
  rowsPerChunk?: number;
}

/**
 * Full backup, full restore, selective key restore and their pre-checks. Request-time checks
 * (malformed SAS, bad URI) answer 400 at once; everything that needs the storage service runs
 * in the job, whose failure carries the storage service's reason.
 */
export class BackupService<S extends BackupStore = BackupStore> {
  constructor(
    private readonly store: S,
    private readonly keyring: BackupKeyring,
    private readonly options: BackupServiceOptions<S>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The request a job will run with, checked now where the operation (not a pre-check) demands it. */
  async prepare(
    kind: JobKind,
    body: { storage: StorageParameters; folder?: string; keyName?: string },
  ): Promise<StoredRequest> {
    const request: StoredRequest = { storage: body.storage, folder: body.folder, keyName: body.keyName };
    if (kind === "selectiveRestore" && (!body.keyName || !KEY_NAME_PATTERN.test(body.keyName))) {
      throw KeyVaultErrors.badParameter(
        `Key name '${body.keyName ?? ""}' is not valid: use 1-127 letters, digits and hyphens.`,
      );
    }
    if (kind === "prebackup" || kind === "prerestore") {
      // The server's own credential goes to its own account only: refused now, not in the job.
      if (body.storage.useManagedIdentity && this.options.storageIdentity) {
        const location = await this.locate(request, kind).catch(() => undefined);
        if (location) this.credentialFor(request.storage, location);
      }
      return request;
    }
    await this.resolve(request, kind);
    return request;
  }

  handlers(): Record<JobKind, JobHandler> {
    return {
      backup: (context) => this.backup(context),
      prebackup: (context) => this.preBackup(context),
      restore: (context) => this.restore(context),
      prerestore: (context) => this.preRestore(context),
      selectiveRestore: (context) => this.selectiveRestore(context),
    };
  }

  private async backup({ request, progress }: JobContext): Promise<JobOutcome> {
    const stored = request as StoredRequest;
    const { location: container } = await this.resolve(stored, "backup");
    const folder = `mhsm-${this.options.hsmName}-${timestamp(new Date(this.clock()))}`;
    const location = { ...container, folder };
    const storage = openBackupStorage(location, this.credentialFor(stored.storage, location));
    const size = this.rowsPerChunk();
    let manifest: Manifest;
    try {
      // One read snapshot for the whole backup: a consistent picture of the HSM as of its start,
      // read page by page while the HSM keeps serving (writes made meanwhile are not in it).
      manifest = await this.store.readSnapshot(async (snapshot) => {
        let total = 0;
        for (const table of HSM_STATE_TABLES)
          total += Math.ceil((await snapshot.snapshots.count(table)) / size);
        const principals = await snapshot.snapshots.readPrincipals();
        total += Math.ceil(principals.length / size);
        const byName = (row: Row) => String(row.name).toLowerCase();
        const tables: TablePages[] = [
          ...HSM_STATE_TABLES.map((table) => ({
            table,
            pages: snapshot.snapshots.pages(table, size),
            rangeKey: table === "keys" || table === "key_versions" ? byName : undefined,
          })),
          { table: "principals", pages: inPages(principals, size) },
        ];
        return writeBackup(storage, this.keyring, { hsmName: this.options.hsmName, folder }, tables, (done) =>
          progress(`Writing backup: ${done} of ${total} blobs.`),
        );
      });
    } catch (error) {
      // A backup without its manifest is no backup: leave nothing of it behind.
      await storage.discard?.().catch(() => undefined);
      throw error;
    }
    return {
      resultUri: `${container.containerUrl}/${folder}`,
      statusDetails: `Backed up ${describeCounts(manifest)}.`,
    };
  }

  private async preBackup({ request }: JobContext): Promise<JobOutcome> {
    const stored = request as StoredRequest;
    const { location, credential } = await this.asJobCheck(() => this.resolve(stored, "prebackup"));
    if (credential && "sasQuery" in credential) checkSasUsable(credential.sasQuery, "write");
    const reachability = await checkReachable(location, credential);
    return { statusDetails: `A backup to ${location.containerUrl} can start. ${reachability}`.trim() };
  }

  /**
   * The manifest is authenticated first; then, in one transaction, the HSM's state is emptied and
   * each chunk is read, verified and inserted in turn. A chunk found changed or missing halfway
   * fails the job and rolls everything back: the HSM is as it was. Reads (the job's status, the
   * readiness probe) are answered beside the transaction, on SQLite by the store's read-only
   * connection; writes wait for it, and the data plane answers 503 RestoreInProgress meanwhile.
   */
  private async restore({ request, progress }: JobContext): Promise<JobOutcome> {
    const stored = request as StoredRequest;
    const backup = await this.openVerified(stored, "restore");
    const { manifest } = backup;
    await progress(
      `Verified the backup manifest (${describeCounts(manifest)}); replacing the HSM's keys and roles from ${manifest.chunks.length} blobs.`,
    );
    await this.store.transaction(async (tx) => {
      await tx.snapshots.clear();
      // Parents before children: keys, their versions, role definitions, role assignments.
      for (const table of HSM_STATE_TABLES) {
        // Older backups may hold assignments that migration 0005 has since merged (see lowerKeyScope).
        let upgrading = false;
        for await (const { rows } of backup.chunks((chunk) => chunk.table === table)) {
          if (table !== "role_assignments") {
            await tx.snapshots.insert(table, rows);
            continue;
          }
          const upgraded = rows.map(lowerKeyScope);
          upgrading ||= upgraded.some((row, i) => row !== rows[i]);
          if (upgrading) await tx.snapshots.mergeRoleAssignments(upgraded);
          else await tx.snapshots.insert(table, rows);
        }
      }
      for await (const { rows } of backup.chunks((chunk) => chunk.table === "principals")) {
        await tx.snapshots.mergePrincipals(rows);
      }
      await this.options.afterRestoreInTransaction(tx);
    });
    this.options.afterRestore();
    return { statusDetails: `Restored ${describeCounts(manifest)} from ${manifest.folder}.` };
  }

  private async preRestore({ request }: JobContext): Promise<JobOutcome> {
    const stored = request as StoredRequest;
    const { location, credential } = await this.asJobCheck(() => this.resolve(stored, "prerestore"));
    if (credential && "sasQuery" in credential) checkSasUsable(credential.sasQuery, "read");
    const backup = await VerifiedBackup.open(
      openBackupStorage(location, credential),
      this.keyring,
      location.folder,
    );
    // Every chunk is read and verified, one at a time, and let go: the restore would succeed.
    for await (const _ of backup.chunks(() => true));
    const { manifest } = backup;
    return {
      statusDetails: `The backup ${manifest.folder} (made ${manifest.createdAt} by HSM '${manifest.hsmName}') can be restored: ${describeCounts(manifest)}.`,
    };
  }

  /**
   * Reads only the chunks of keys and key versions whose name range can hold the key (every
   * chunk of those tables for backups whose manifest has no ranges), then writes in one
   * transaction.
   */
  private async selectiveRestore({ request }: JobContext): Promise<JobOutcome> {
    const stored = request as StoredRequest;
    const keyName = stored.keyName as string;
    const backup = await this.openVerified(stored, "selectiveRestore");
    const folded = keyName.toLowerCase();
    const mayHold = (table: string) => (chunk: ManifestChunk) =>
      chunk.table === table &&
      (chunk.first === undefined ||
        chunk.last === undefined ||
        (chunk.first <= folded && folded <= chunk.last));
    const matches = (row: Row) => String(row.name).toLowerCase() === folded;
    let keyRow: Row | undefined;
    for await (const { rows } of backup.chunks(mayHold("keys"))) keyRow ??= rows.find(matches);
    if (!keyRow) throw new JobFailure("KeyNotFound", `Key '${keyName}' is not in the backup.`);
    const versionRows: Row[] = [];
    for await (const { rows } of backup.chunks(mayHold("key_versions"))) {
      versionRows.push(...rows.filter((row) => String(row.name) === String(keyRow.name)));
    }
    const found = keyRow;
    // Everything was read and authenticated above; the writes are one transaction.
    const outcome = await this.store.transaction((tx) =>
      restoreKeyFromBackup(tx.snapshots, found, versionRows),
    );
    if (outcome.restored > 0) this.options.afterRestore();
    return { statusDetails: describeSelectiveRestore(String(found.name), outcome) };
  }

  private async openVerified(stored: StoredRequest, kind: JobKind): Promise<VerifiedBackup> {
    const { location, credential } = await this.resolve(stored, kind);
    return VerifiedBackup.open(openBackupStorage(location, credential), this.keyring, location.folder);
  }

  private rowsPerChunk(): number {
    return this.options.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK;
  }

  /**
   * Where the backup is and the credential to reach it, checked in the service's order: the
   * credential's form (a malformed SAS, a missing token, no storage identity) before the folder,
   * so a malformed SAS with a folder that is no backup folder answers about the SAS, as a Managed
   * HSM does (Azure/azure-sdk-for-js keyvault-admin recording: PUT /restore with token
   * "bad_token" and folderToRestore "uri" answers the SAS token's error). Then the location, then
   * what needs both (the storage identity only for its own account).
   */
  private async resolve(
    stored: StoredRequest,
    kind: JobKind,
  ): Promise<{ location: BackupLocation; credential: StorageCredential | undefined }> {
    const uri = stored.storage.storageResourceUri;
    // A local (file:) folder takes no credential, so there is nothing to check first.
    if (uri && !/^file:/i.test(uri.trim())) this.checkCredentialForm(stored.storage);
    const location = await this.locate(stored, kind);
    return { location, credential: this.credentialFor(stored.storage, location) };
  }

  /** What can be said of the credential without knowing where it will be used. */
  private checkCredentialForm(storage: StorageParameters): void {
    if (storage.useManagedIdentity) {
      if (!this.options.storageIdentity) throw noStorageIdentity();
      return;
    }
    if (!storage.token) throw tokenRequired();
    parseSasToken(storage.token);
  }

  private locate(stored: StoredRequest, kind: JobKind): Promise<BackupLocation> {
    const uri = stored.storage.storageResourceUri;
    if (!uri)
      throw KeyVaultErrors.badParameter(
        "'storageResourceUri' is required: the blob container (or file: folder) of the backup.",
      );
    const folder = kind === "backup" || kind === "prebackup" ? undefined : (stored.folder ?? "");
    if (folder === "") throw KeyVaultErrors.badParameter("The backup folder to restore from is required.");
    return parseBackupLocation(uri, folder, this.options.localBackupRoots);
  }

  /** SAS token, or the server's own storage identity when the request asks for it. */
  private credentialFor(storage: StorageParameters, location: BackupLocation): StorageCredential | undefined {
    if (location.kind === "local") return undefined;
    if (storage.useManagedIdentity) {
      if (!this.options.storageIdentity) throw noStorageIdentity();
      this.checkOwnAccount(location);
      return this.options.storageIdentity;
    }
    if (!storage.token) throw tokenRequired();
    return { sasQuery: parseSasToken(storage.token).query };
  }

  /**
   * The storage identity signs requests (SharedKey) only for containers of its own account's
   * blob endpoint: a request naming any other host or port never gets the server's signature.
   */
  private checkOwnAccount(location: BackupLocation): void {
    const endpoint = new URL(this.storageBlobEndpoint());
    const container = new URL(location.containerUrl);
    const base = endpoint.pathname.replace(/\/+$/, "");
    if (container.origin !== endpoint.origin || !container.pathname.startsWith(`${base}/`)) {
      throw KeyVaultErrors.badParameter(
        `useManagedIdentity works only with this HSM's own storage account at ${endpoint.origin}${base}; the container ${container.origin}${container.pathname} is elsewhere. Give a SAS token ('token') for other storage.`,
      );
    }
  }

  private storageBlobEndpoint(): string {
    const identity = this.options.storageIdentity as { accountName: string };
    return (
      this.options.storageBlobEndpoint ??
      `https://${encodeURIComponent(identity.accountName)}.blob.core.windows.net`
    );
  }

  /** In a pre-check, what would have been a 400 is the job's failure instead. */
  private async asJobCheck<T>(check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof JobFailure) throw error;
      const { code, message } = error as { code?: string; message: string };
      throw new JobFailure(code ?? "BadRequest", message);
    }
  }
}

const noStorageIdentity = () =>
  KeyVaultErrors.badParameter(
    "useManagedIdentity was requested, but this HSM has no storage identity configured (storageIdentity).",
  );
const tokenRequired = () =>
  KeyVaultErrors.badParameter("A SAS token ('token') is required unless useManagedIdentity is true.");

async function* inPages(rows: Row[], size: number): AsyncGenerator<Row[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

function checkSasUsable(sasQuery: string, need: "read" | "write"): void {
  const sas = parseSasToken(sasQuery);
  if (sas.expiresOn.getTime() <= Date.now()) {
    throw new JobFailure("SasTokenExpired", `The SAS token expired at ${sas.expiresOn.toISOString()}.`);
  }
  const letters = need === "write" ? ["w", "c"] : ["r"];
  if (sas.permissions && !letters.some((letter) => sas.permissions.includes(letter))) {
    throw new JobFailure(
      "SasTokenPermissionMismatch",
      `The SAS token does not permit ${need === "write" ? "writing" : "reading"} blobs (sp=${sas.permissions}).`,
    );
  }
}

/** Asks the storage service something harmless, as far as the credential permits. */
async function checkReachable(
  location: BackupLocation,
  credential: StorageCredential | undefined,
): Promise<string> {
  if (location.kind === "local") return "The local folder is usable.";
  const permissions =
    credential && "sasQuery" in credential ? parseSasToken(credential.sasQuery).permissions : "rl";
  const probe = openBackupStorage({ ...location, folder: "mhsm-prebackup-check" }, credential);
  if (permissions.includes("l")) {
    await probe.list();
    return "The container is reachable and accepted the credential.";
  }
  if (permissions.includes("r")) {
    await probe.read("probe");
    return "The container is reachable and accepted the credential.";
  }
  return "The SAS token permits neither listing nor reading, so the storage service was not asked.";
}

function describeCounts(manifest: Manifest): string {
  const count = (table: string, one: string, many = `${one}s`) => {
    const n = manifest.counts[table] ?? 0;
    return `${n} ${n === 1 ? one : many}`;
  };
  return [
    `${count("keys", "key")} (${count("key_versions", "version")})`,
    count("role_definitions", "custom role definition"),
    count("role_assignments", "role assignment"),
    count("principals", "principal"),
  ].join(", ");
}

/** yyyyMMddHHmmssSS (UTC; SS = hundredths of a second), as a Managed HSM names backup folders. */
export function timestamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(Math.floor(date.getUTCMilliseconds() / 10))}`
  );
}
