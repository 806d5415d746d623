import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from "../harness/azurite.js";
import { type DelayingProxy, startDelayingProxy } from "../harness/delaying-proxy.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { createDatabase, databaseNameFor } from "../harness/postgres.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.5";
/** Crypto User creates keys; Crypto Officer purges them. */
const KEY_ROLES = ["21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"];

/**
 * A selective restore that fails part way changes nothing: not the key it was restoring over,
 * not a key it was bringing back. Failures made with real parts: the database refusing a write
 * in the middle of the restore's transaction (a trigger, on SQLite and on PostgreSQL), a backup
 * blob changed after the backup, and the server killed with SIGKILL while the job runs.
 */
describe("selective key restore is all or nothing", () => {
  let server: ServerProcess;
  let token: string;
  let backupRoot: string;
  let folder: string;
  let azurite: Azurite;
  let proxy: DelayingProxy;
  let sas: string;
  let blobFolder: string;
  /** Versions of "anew" at backup time, in creation order. */
  let anewAtBackup: string[];

  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const createKey = async (name: string) => {
    const created = await call("POST", `/keys/${name}/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(created.status, 200, created.text);
    return String(created.json.key.kid).split("/").pop() as string;
  };
  const deleteAndPurge = async (name: string) => {
    assert.equal((await call("DELETE", `/keys/${name}?${V}`)).status, 200);
    assert.equal((await call("DELETE", `/deletedkeys/${name}?${V}`)).status, 204);
  };
  const restoreKey = async (name: string, from = { uri: pathToFileURL(backupRoot).href, folder }) => {
    const accepted = await call("PUT", `/keys/${name}/restore?${V}`, {
      sasTokenParameters: {
        storageResourceUri: from.uri,
        ...(from.uri.startsWith("file:") ? {} : { token: sas }),
      },
      folder: from.folder,
    });
    assert.equal(accepted.status, 202, accepted.text);
    return accepted;
  };
  /** Everything a client can see of a key: current version, every version with attributes, policy. */
  const snapshotOf = async (name: string) => {
    const key = await call("GET", `/keys/${name}?${V}`);
    const versions = await call("GET", `/keys/${name}/versions?${V}`);
    const policy = await call("GET", `/keys/${name}/rotationpolicy?${V}`);
    const seen = {
      key: key.json,
      versions: versions.json,
      policy: policy.json,
      statuses: [key.status, versions.status],
    };
    // Identifiers name the server's URL, whose port changes when the test restarts it.
    return JSON.parse(JSON.stringify(seen).replaceAll(server.url, "<hsm>"));
  };

  /**
   * The database refuses to write a version of `name` once that key has `already` versions: the
   * restore's first version is written, the next one is refused, on whichever backend serves
   * the test. Returns what lifts the refusal.
   */
  async function refuseVersionsOf(name: string, already: number): Promise<() => Promise<void>> {
    const full = `(SELECT count(*) FROM key_versions WHERE name = '${name}') >= ${already}`;
    const cluster = process.env.MHSM_TEST_POSTGRES_URL;
    if (!cluster) {
      const db = new Database(join(server.dataDir, "mhsm.db"));
      db.exec(
        `CREATE TRIGGER refuse_version BEFORE INSERT ON key_versions WHEN NEW.name = '${name}' AND ${full} ` +
          `BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
      );
      return async () => {
        db.exec("DROP TRIGGER refuse_version");
        db.close();
      };
    }
    const client = new pg.Client({
      connectionString: await createDatabase(cluster, databaseNameFor(server.dataDir)),
    });
    await client.connect();
    // In the function, not the trigger's WHEN (PostgreSQL allows no subquery there); a row-level
    // BEFORE trigger sees the rows its statement inserted before this one.
    await client.query(
      `CREATE FUNCTION refuse_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
        `IF NEW.name = '${name}' AND ${full} THEN RAISE EXCEPTION 'refused by the test'; END IF; ` +
        `RETURN NEW; END $$`,
    );
    await client.query(
      "CREATE TRIGGER refuse_version BEFORE INSERT ON key_versions FOR EACH ROW EXECUTE FUNCTION refuse_version()",
    );
    return async () => {
      await client.query("DROP TRIGGER refuse_version ON key_versions");
      await client.query("DROP FUNCTION refuse_version()");
      await client.end();
    };
  }

  before(async () => {
    server = await startServerProcess();
    token = await adminToken(server);
    for (const role of KEY_ROLES) {
      const grant = await call(
        "PUT",
        `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
        {
          properties: { roleDefinitionId: role, principalId: server.admin.objectId },
        },
      );
      assert.equal(grant.status, 201, grant.text);
    }
    anewAtBackup = [await createKey("anew"), await createKey("anew")];
    await createKey("vanished");
    await createKey("vanished");
    await createKey("steady");

    backupRoot = join(server.dataDir, "backups");
    await mkdir(backupRoot, { recursive: true });
    const local = await call("POST", `/backup?${V}`, { storageResourceUri: pathToFileURL(backupRoot).href });
    const done = await waitForJob(server, token, local);
    assert.equal(done.json.status, "Succeeded", done.text);
    folder = String(done.json.azureStorageBlobContainerUri).split("/").pop() as string;

    azurite = await startAzurite();
    await azurite.createContainer("slow");
    sas = azurite.sas("slow");
    const remote = await call("POST", `/backup?${V}`, {
      storageResourceUri: `${azurite.accountUrl}/slow`,
      token: sas,
    });
    const remoteDone = await waitForJob(server, token, remote);
    assert.equal(remoteDone.json.status, "Succeeded", remoteDone.text);
    blobFolder = String(remoteDone.json.azureStorageBlobContainerUri).split("/").pop() as string;
    proxy = await startDelayingProxy(azurite.port, 0);
  });
  after(async () => {
    await server?.dispose();
    await proxy?.close();
    await azurite?.stop();
  });

  it("a write refused in the middle of the transaction over a live key leaves the key exactly as it was", async () => {
    await deleteAndPurge("anew");
    await createKey("anew");
    const before = await snapshotOf("anew");
    // The key has one version now: the backup's first is written, then the database says no.
    const allow = await refuseVersionsOf("anew", 2);
    try {
      const failed = await waitForJob(server, token, await restoreKey("anew"));
      assert.equal(failed.json.status, "Failed", failed.text);
      assert.equal(failed.json.error.code, "InternalError");
      assert.match(server.output(), /refused by the test/, "the database refused the write, as arranged");
      assert.deepEqual(await snapshotOf("anew"), before);
    } finally {
      await allow();
    }
    // The same restore with nothing in the way does what the failed one would have.
    const done = await waitForJob(server, token, await restoreKey("anew"));
    assert.equal(done.json.status, "Succeeded", done.text);
    const versions = (await snapshotOf("anew")).versions.value as Array<{ kid: string }>;
    assert.equal(versions.length, 3);
    for (const version of anewAtBackup)
      assert.ok(
        versions.some((v) => v.kid.endsWith(`/${version}`)),
        `${version} is back`,
      );
  });

  it("a write refused part way through bringing back a purged key leaves no trace of it", async () => {
    await deleteAndPurge("vanished");
    // The key row and the first version are written, then the database refuses the second.
    const allow = await refuseVersionsOf("vanished", 1);
    try {
      const failed = await waitForJob(server, token, await restoreKey("vanished"));
      assert.equal(failed.json.status, "Failed", failed.text);
      assert.equal(failed.json.error.code, "InternalError");
      assert.equal((await call("GET", `/keys/vanished?${V}`)).status, 404, "the key row was not kept");
      assert.equal((await call("GET", `/deletedkeys/vanished?${V}`)).status, 404);
    } finally {
      await allow();
    }
  });

  it("a backup blob changed after the backup fails the job before anything changes", async () => {
    await createKey("steady");
    const before = await snapshotOf("steady");
    const dataDir = join(backupRoot, folder, "data");
    for (const chunk of await readdir(dataDir)) {
      const path = join(dataDir, chunk);
      const bytes = await readFile(path);
      bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0xff;
      await writeFile(path, bytes);
    }
    const failed = await waitForJob(server, token, await restoreKey("steady"));
    assert.equal(failed.json.status, "Failed", failed.text);
    assert.equal(failed.json.error.code, "InvalidBackup");
    assert.deepEqual(await snapshotOf("steady"), before);
  });

  it("a server killed with SIGKILL during the job reports it interrupted after restart; the key is as it was", async () => {
    const before = await snapshotOf("steady");
    proxy.delayMs = 500;
    const slow = { uri: `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}/slow`, folder: blobFolder };
    const accepted = await restoreKey("steady", slow);
    assert.equal(accepted.json.status, "InProgress");
    await server.kill();
    proxy.delayMs = 0;
    server = await startServerProcess({ dataDir: server.dataDir });
    token = await adminToken(server);
    const failed = await waitForJob(server, token, accepted);
    assert.equal(failed.json.status, "Failed", failed.text);
    assert.equal(failed.json.error.code, "JobInterrupted");
    assert.deepEqual(await snapshotOf("steady"), before);
  });
});
