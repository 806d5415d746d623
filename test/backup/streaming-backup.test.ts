import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import type { RawResponse } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { createDatabase, databaseNameFor } from "../harness/postgres.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import {
  type KeysState,
  V,
  call as callOn,
  differences,
  digestOf,
  inParallel,
  keysState,
  verifiesEs256,
} from "./support/hsm-state.js";

/** Crypto User creates and signs; Crypto Officer purges. */
const KEY_ROLES = ["21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"];
const ROWS_PER_CHUNK = 40;
const KEYS = 1500;

interface ManifestChunk {
  name: string;
  table: string;
  rows: number;
  first?: string;
  last?: string;
}

/**
 * Backups and restores stream: with 40 rows per chunk, an HSM of 1,500 keys is a backup of
 * about eighty chunks, each written as it is read from one snapshot and each restored in turn
 * inside one transaction. What must hold: the restore is exact; a write during the backup does
 * not tear it; a changed or missing chunk in the middle, or a SIGKILL, leaves the HSM as it was;
 * a selective restore reads only the chunks that can hold its key.
 */
describe(`streamed backup and restore (${ROWS_PER_CHUNK} rows per chunk, ${KEYS} keys)`, () => {
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let server: ServerProcess;
  let token: string;
  let containerUrl: string;
  let slowContainerUrl: string;
  let sas: string;
  let backupRoot: string;
  /** The Azurite backup of the first test, and the HSM's keys as they were then. */
  let blobFolderUrl: string;
  let stateAtBackup: KeysState;
  const published: { jwk?: Record<string, unknown>; signature?: string } = {};
  const message = "signed before the backup";

  const call = (method: string, path: string, body?: unknown, expected = 200) =>
    callOn(server, token, method, path, body, expected);
  const keyName = (i: number) => `stream-${String(i).padStart(5, "0")}`;
  const startRestore = (folderUrl: string) => {
    const cut = folderUrl.lastIndexOf("/");
    const uri = folderUrl.slice(0, cut);
    return call(
      "PUT",
      `/restore?${V}`,
      {
        sasTokenParameters: { storageResourceUri: uri, ...(uri.startsWith("file:") ? {} : { token: sas }) },
        folderToRestore: folderUrl.slice(cut + 1),
      },
      202,
    );
  };
  const job = (accepted: RawResponse) => waitForJob(server, token, accepted, 120_000);
  const localBackup = async (): Promise<string> => {
    const done = await job(
      await call("POST", `/backup?${V}`, { storageResourceUri: pathToFileURL(backupRoot).href }, 202),
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    return String(done.json.azureStorageBlobContainerUri).split("/").pop() as string;
  };
  const manifestOf = async (folder: string) =>
    JSON.parse(await readFile(join(backupRoot, folder, "manifest.json"), "utf8")) as {
      chunks: ManifestChunk[];
    };

  before(async () => {
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("stream");
    sas = azurite.sas("stream");
    proxy = await startDelayingProxy(azurite.port, 0);
    slowContainerUrl = `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/stream`;
    server = await startServerProcess({ args: ["--backup-rows-per-chunk", String(ROWS_PER_CHUNK)] });
    token = await adminToken(server);
    backupRoot = join(server.dataDir, "backups");
    await mkdir(backupRoot, { recursive: true });
    for (const role of KEY_ROLES) {
      await call(
        "PUT",
        `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
        { properties: { roleDefinitionId: role, principalId: server.admin.objectId } },
        201,
      );
    }
    await inParallel(KEYS, 16, (i) =>
      call("POST", `/keys/${keyName(i)}/create?${V}`, { kty: "EC-HSM", crv: "P-256" }),
    );
    // Keys with more to them than one version: versions, tags, a disabled version, a deleted key.
    await call("POST", `/keys/multi/create?${V}`, { kty: "EC-HSM", crv: "P-256", tags: { n: "1" } });
    await call("POST", `/keys/multi/create?${V}`, {
      kty: "EC-HSM",
      crv: "P-256",
      attributes: { enabled: false },
    });
    const signer = await call("POST", `/keys/Multi/create?${V}`, {
      kty: "EC-HSM",
      crv: "P-256",
      tags: { n: "3" },
    });
    published.jwk = signer.json.key;
    const signed = await call("POST", `/keys/multi/sign?${V}`, {
      alg: "ES256",
      value: digestOf(message).toString("base64url"),
    });
    published.signature = signed.json.value;
    await call("POST", `/keys/gone/create?${V}`, { kty: "RSA-HSM", key_size: 2048 });
    await call("DELETE", `/keys/gone?${V}`);
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("restores exactly: every key, version, attribute and tag, and the key material", async () => {
    stateAtBackup = await keysState(server, token);
    const done = await job(
      await call("POST", `/backup?${V}`, { storageResourceUri: containerUrl, token: sas }, 202),
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.match(done.json.statusDetails, new RegExp(`${KEYS + 2} keys \\(${KEYS + 4} versions\\)`));
    blobFolderUrl = done.json.azureStorageBlobContainerUri;
    // The chunk size holds: no chunk has more rows than configured, so that is what memory holds.
    const folder = blobFolderUrl.slice(containerUrl.length + 1);
    const manifest = JSON.parse(
      (
        await azurite.service
          .getContainerClient("stream")
          .getBlobClient(`${folder}/manifest.json`)
          .downloadToBuffer()
      ).toString(),
    ) as { chunks: ManifestChunk[] };
    assert.ok(manifest.chunks.length >= (2 * KEYS) / ROWS_PER_CHUNK, `${manifest.chunks.length} chunks`);
    assert.ok(manifest.chunks.every((chunk) => chunk.rows > 0 && chunk.rows <= ROWS_PER_CHUNK));

    // Change the HSM every way a restore must undo.
    await call("DELETE", `/keys/${keyName(0)}?${V}`);
    await call("DELETE", `/deletedkeys/gone?${V}`, undefined, 204);
    await call("POST", `/keys/after-backup/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    await call("POST", `/keys/${keyName(1)}/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    await call("PATCH", `/keys/${keyName(2)}?${V}`, { tags: { changed: "yes" } });
    assert.notDeepEqual(differences(await keysState(server, token), stateAtBackup), []);

    const restored = await job(await startRestore(blobFolderUrl));
    assert.equal(restored.json.status, "Succeeded", restored.text);
    assert.deepEqual(differences(await keysState(server, token), stateAtBackup), []);
    // The signature made before the backup verifies under the key published then (node:crypto),
    // and so does one the restored key makes now: its private material came back.
    const jwk = published.jwk as Record<string, unknown>;
    assert.ok(verifiesEs256(jwk, message, published.signature as string));
    const again = await call("POST", `/keys/multi/sign?${V}`, {
      alg: "ES256",
      value: digestOf("signed after the restore").toString("base64url"),
    });
    assert.ok(verifiesEs256(jwk, "signed after the restore", again.json.value));
  });

  it("a write made while the backup runs is not in it: the backup holds the HSM as of its start", async () => {
    const atStart = await keysState(server, token);
    proxy.delayMs = 300; // every blob the backup writes now waits, so it is still running below
    let accepted: RawResponse;
    try {
      accepted = await call(
        "POST",
        `/backup?${V}`,
        { storageResourceUri: slowContainerUrl, token: sas },
        202,
      );
      const statusPath = String(accepted.headers["azure-asyncoperation"]).slice(server.url.length);
      await waitFor(
        async () => {
          const status = await call("GET", statusPath);
          assert.equal(status.json.status, "InProgress", status.text);
          return /Writing backup: [1-9]\d* of/.test(String(status.json.statusDetails));
        },
        { what: "the backup to write its first chunks", timeoutMs: 60_000, intervalMs: 50 },
      );
      await call("POST", `/keys/during-backup/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
      await call("DELETE", `/keys/${keyName(10)}?${V}`);
      await call("POST", `/keys/${keyName(11)}/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
      // The writes committed while the backup was still writing chunks (not after it).
      const during = await call("GET", statusPath);
      assert.equal(during.json.status, "InProgress");
      const [, written, total] =
        /Writing backup: (\d+) of (\d+)/.exec(String(during.json.statusDetails)) ?? [];
      assert.ok(Number(written) < Number(total), String(during.json.statusDetails));
    } finally {
      proxy.delayMs = 0;
    }
    const done = await job(accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.match(done.json.statusDetails, new RegExp(`${KEYS + 2} keys \\(${KEYS + 4} versions\\)`));
    const restored = await job(
      await startRestore(
        `${containerUrl}/${String(done.json.azureStorageBlobContainerUri).split("/").pop()}`,
      ),
    );
    assert.equal(restored.json.status, "Succeeded", restored.text);
    assert.deepEqual(differences(await keysState(server, token), atStart), []);
  });

  it("a changed or a missing chunk in the middle fails the restore and leaves the HSM unchanged", async () => {
    const folder = await localBackup();
    await call("POST", `/keys/after-local-backup/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    await call("DELETE", `/keys/${keyName(20)}?${V}`);
    const before = await keysState(server, token);
    const { chunks } = await manifestOf(folder);
    // Late in the restore: every key and most versions are already inserted when it is read.
    const victim = chunks[Math.floor(chunks.length * 0.8)] as ManifestChunk;
    const path = join(backupRoot, folder, victim.name);
    const original = await readFile(path);
    const changed = Buffer.from(original);
    changed[changed.length - 20] = (changed[changed.length - 20] as number) ^ 0x01;
    await writeFile(path, changed);
    const tampered = await job(await startRestore(`${pathToFileURL(backupRoot).href}/${folder}`));
    assert.equal(tampered.json.status, "Failed", tampered.text);
    assert.equal(tampered.json.error.code, "InvalidBackup");
    assert.match(tampered.json.error.message, new RegExp(`changed: ${victim.name}`));
    assert.deepEqual(differences(await keysState(server, token), before), []);

    await writeFile(path, original);
    await rm(path);
    const missing = await job(await startRestore(`${pathToFileURL(backupRoot).href}/${folder}`));
    assert.equal(missing.json.status, "Failed", missing.text);
    assert.match(missing.json.error.message, new RegExp(`incomplete: ${victim.name} is missing`));
    assert.deepEqual(differences(await keysState(server, token), before), []);
  });

  it("a selective restore reads only the chunks that can hold its key", async () => {
    const target = keyName(1234);
    const folder = await localBackup();
    const { chunks } = await manifestOf(folder);
    const folded = target.toLowerCase();
    const holds = (chunk: ManifestChunk) =>
      (chunk.table === "keys" || chunk.table === "key_versions") &&
      (chunk.first as string) <= folded &&
      folded <= (chunk.last as string);
    const needed = chunks.filter(holds);
    assert.ok(needed.length >= 2 && needed.length <= 4, `${needed.length} chunks hold ${target}`);
    // A copy of the backup with every other chunk removed: a restore that read one would fail.
    const sparse = `${folder}-sparse`;
    await cp(join(backupRoot, folder), join(backupRoot, sparse), { recursive: true });
    for (const chunk of chunks.filter((c) => !holds(c))) await rm(join(backupRoot, sparse, chunk.name));
    assert.equal((await readdir(join(backupRoot, sparse, "data"))).length, needed.length);

    const kid = String((await call("GET", `/keys/${target}?${V}`)).json.key.kid);
    await call("DELETE", `/keys/${target}?${V}`);
    await call("DELETE", `/deletedkeys/${target}?${V}`, undefined, 204);
    const restoreKey = (name: string) =>
      call(
        "PUT",
        `/keys/${name}/restore?${V}`,
        { sasTokenParameters: { storageResourceUri: pathToFileURL(backupRoot).href }, folder: sparse },
        202,
      );
    const restored = await job(await restoreKey(target.toUpperCase()));
    assert.equal(restored.json.status, "Succeeded", restored.text);
    assert.equal(String((await call("GET", `/keys/${target}?${V}`)).json.key.kid), kid);
    // After every name in the backup: no chunk can hold it, so none is read and none is missing.
    const absent = await job(await restoreKey("zz-not-in-the-backup"));
    assert.equal(absent.json.status, "Failed");
    assert.equal(absent.json.error.code, "KeyNotFound");
    // The full restore needs every chunk, and says which is missing.
    const full = await job(await startRestore(`${pathToFileURL(backupRoot).href}/${sparse}`));
    assert.equal(full.json.status, "Failed");
    assert.match(full.json.error.message, /is missing/);
  });

  it("a server killed with SIGKILL in the middle of a restore's transaction keeps the HSM as it was", async () => {
    await call("POST", `/keys/before-kill/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    const before = await keysState(server, token);
    const folder = blobFolderUrl.slice(containerUrl.length + 1);
    proxy.delayMs = 200; // each chunk read waits: the transaction stays open for seconds
    try {
      await startRestore(`${slowContainerUrl}/${folder}`);
      // Seen from outside the server, as its status is not: the restore's write transaction is open.
      const writing = await restoreTransactionProbe(server);
      try {
        let seen = 0;
        await waitFor(async () => ((await writing.open()) ? ++seen : (seen = 0)) >= 5, {
          what: "the restore's write transaction to be open (five checks in a row)",
          timeoutMs: 60_000,
          intervalMs: 50,
        });
      } finally {
        await writing.close();
      }
      await server.kill();
    } finally {
      proxy.delayMs = 0;
    }
    server = await startServerProcess({ dataDir: server.dataDir });
    token = await adminToken(server);
    assert.deepEqual(differences(await keysState(server, token), before), []);
  });
});

/**
 * Whether a write transaction holds the server's database: on SQLite a second connection cannot
 * take the write lock; on PostgreSQL a session holds the store's write advisory lock.
 */
async function restoreTransactionProbe(
  server: ServerProcess,
): Promise<{ open(): Promise<boolean>; close(): Promise<void> }> {
  const cluster = process.env.MHSM_TEST_POSTGRES_URL;
  if (cluster) {
    const client = new pg.Client({
      connectionString: await createDatabase(cluster, databaseNameFor(server.dataDir)),
    });
    await client.connect();
    return {
      async open() {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          [0x6d68736d],
        );
        return (rows[0] as { n: number }).n > 0;
      },
      close: () => client.end(),
    };
  }
  const db = new Database(join(server.dataDir, "mhsm.db"), { timeout: 0 });
  return {
    async open() {
      try {
        db.exec("BEGIN IMMEDIATE");
      } catch (error) {
        if ((error as { code?: string }).code === "SQLITE_BUSY") return true;
        throw error;
      }
      db.exec("ROLLBACK");
      return false;
    },
    close: async () => {
      db.close();
    },
  };
}
