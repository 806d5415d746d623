/**
 * Backup and restore speed, for `npm run bench`: an HSM with N keys (5,000 by default, the
 * Managed HSM limit) backed up to Azurite and restored from it, through the real server and the
 * real storage emulator. Reports keys per second, from the 202 to the job's end as a client sees it.
 */
import { randomUUID } from "node:crypto";
import { startAzurite } from "../test/harness/azurite.js";
import { type RawResponse, rawRequest } from "../test/harness/https-client.js";
import { adminToken } from "../test/harness/principals.js";
import { type ServerProcess, startServerProcess } from "../test/harness/server-process.js";
import { PeakRss } from "./bench-peak-rss.js";

const V = "api-version=7.5";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";

export interface BackupRestoreFigures {
  keys: number;
  backupSeconds: number;
  restoreSeconds: number;
  /** The server process's peak RSS during each phase, in MiB (undefined without Linux's /proc). */
  backupPeakMiB?: number;
  restorePeakMiB?: number;
  /** The server's RSS before the backup (after creating the keys), in MiB. */
  baselineMiB?: number;
}

export async function benchBackupRestore(keys: number): Promise<BackupRestoreFigures> {
  const azurite = await startAzurite();
  const server = await startServerProcess();
  try {
    const containerUrl = await azurite.createContainer("bench");
    const sas = azurite.sas("bench");
    const token = await adminToken(server);
    await expectStatus(
      rawRequest(server, {
        method: "PUT",
        path: `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
        token,
        body: { properties: { roleDefinitionId: CRYPTO_USER, principalId: server.admin.objectId } },
      }),
      201,
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < keys) {
          const name = `bench-${next++}`;
          await expectStatus(
            rawRequest(server, {
              method: "POST",
              path: `/keys/${name}/create?${V}`,
              token,
              body: { kty: "EC-HSM", crv: "P-256" },
            }),
            200,
          );
        }
      }),
    );

    const rss = await PeakRss.ofProcessWith(server.dataDir);
    await rss?.reset();
    const baselineMiB = await rss?.peakMiB();
    const backupStart = performance.now();
    const backup = await runJob(server, token, {
      method: "POST",
      path: `/backup?${V}`,
      body: { storageResourceUri: containerUrl, token: sas },
    });
    const backupSeconds = (performance.now() - backupStart) / 1000;
    const backupPeakMiB = await rss?.peakMiB();
    const folder = String(backup.json.azureStorageBlobContainerUri).split("/").pop();
    await rss?.reset();

    const restoreStart = performance.now();
    await runJob(server, token, {
      method: "PUT",
      path: `/restore?${V}`,
      body: { sasTokenParameters: { storageResourceUri: containerUrl, token: sas }, folderToRestore: folder },
    });
    const restoreSeconds = (performance.now() - restoreStart) / 1000;
    const restorePeakMiB = await rss?.peakMiB();
    return { keys, backupSeconds, restoreSeconds, backupPeakMiB, restorePeakMiB, baselineMiB };
  } finally {
    await server.dispose();
    await azurite.stop();
  }
}

/** Starts a job and polls it closely (not at Retry-After pace) so the time is the job's own. */
async function runJob(
  server: ServerProcess,
  token: string,
  request: { method: string; path: string; body: unknown },
): Promise<RawResponse> {
  const accepted = await expectStatus(rawRequest(server, { ...request, token }), 202);
  const statusUrl = String(accepted.headers["azure-asyncoperation"]);
  const path = statusUrl.slice(new URL(statusUrl).origin.length);
  for (;;) {
    const status = await rawRequest(server, { path, token });
    if (status.json?.status === "Succeeded") return status;
    if (status.json?.status !== "InProgress") throw new Error(`job ended ${status.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function expectStatus(pending: Promise<RawResponse>, status: number): Promise<RawResponse> {
  const response = await pending;
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
  return response;
}
