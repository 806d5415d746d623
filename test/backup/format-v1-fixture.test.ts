import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { copyFile, cp, mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { RawResponse } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { V, call as callOn, digestOf, listAll, verifiesEs256 } from "./support/hsm-state.js";

const FIXTURE = join(import.meta.dirname, "fixtures/format-v1");
/** Crypto User reads and signs; Crypto Officer purges. */
const KEY_ROLES = ["21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"];

interface Expected {
  statusDetails: string;
  signed: { kid: string; digest: string; signature: string; publicKey: Record<string, unknown> };
}

/**
 * A backup made by the server before backups streamed (fixtures/format-v1, made by
 * make-format-v1-fixture.ts at commit 402ed54: whole tables in memory, 500-row chunks, no name
 * ranges in its manifest) restores on today's server that holds its domain key, fully and one key
 * at a time.
 */
describe("a backup made before backups streamed still restores", () => {
  let server: ServerProcess;
  let token: string;
  let expected: Expected;
  let backupRoot: string;
  let folder: string;

  const call = (method: string, path: string, body?: unknown, status = 200) =>
    callOn(server, token, method, path, body, status);
  const job = (accepted: RawResponse) => waitForJob(server, token, accepted);

  before(async () => {
    expected = JSON.parse(await readFile(join(FIXTURE, "expected.json"), "utf8")) as Expected;
    const manifest = JSON.parse(await readFile(join(FIXTURE, "backup/manifest.json"), "utf8")) as {
      folder: string;
      chunks: Array<Record<string, unknown>>;
    };
    assert.ok(
      manifest.chunks.every((chunk) => !("first" in chunk)),
      "the fixture is of the old shape",
    );
    folder = manifest.folder;
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-format-v1-"));
    await copyFile(join(FIXTURE, "domain.key"), join(dataDir, "domain.key"));
    backupRoot = join(dataDir, "backups");
    await mkdir(backupRoot, { recursive: true });
    await cp(join(FIXTURE, "backup"), join(backupRoot, folder), { recursive: true });
    server = await startServerProcess({ dataDir });
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
  });

  it("restores fully: keys, versions, tags, a deleted key, a custom role and its assignment", async () => {
    const done = await job(
      await call(
        "PUT",
        `/restore?${V}`,
        {
          sasTokenParameters: { storageResourceUri: pathToFileURL(backupRoot).href },
          folderToRestore: folder,
        },
        202,
      ),
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.match(
      done.json.statusDetails,
      /^Restored 3 keys \(4 versions\), 1 custom role definition, 3 role assignments/,
    );

    // This server's administrator keeps Administrator through the restore; the key roles it
    // needs to read and sign are granted anew (the backup's grants name the old administrator).
    for (const role of KEY_ROLES) {
      await call(
        "PUT",
        `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
        { properties: { roleDefinitionId: role, principalId: server.admin.objectId } },
        201,
      );
    }
    const versions = await listAll(server, token, `/keys/fixture-ec/versions?${V}`);
    assert.equal(versions.length, 2);
    const current = await call("GET", `/keys/fixture-ec?${V}`);
    assert.deepEqual(current.json.tags, { n: "2" });
    assert.equal(current.json.attributes.enabled, true);
    const rsa = await call("GET", `/keys/Fixture-RSA?${V}`);
    assert.equal(rsa.json.attributes.enabled, false);
    const deleted = await listAll(server, token, `/deletedkeys?${V}`);
    assert.deepEqual(
      deleted.map((item) => String(item.kid).split("/").pop()),
      ["fixture-deleted"],
    );
    const roles = await call("GET", `/providers/Microsoft.Authorization/roleDefinitions?${V}`);
    assert.ok(
      (roles.json.value as Array<{ name: string }>).some(
        (role) => role.name === "e0000000-0000-4000-8000-0000000000f1",
      ),
    );
    const scoped = await call(
      "GET",
      `/keys/fixture-ec/providers/Microsoft.Authorization/roleAssignments?${V}`,
    );
    assert.ok(
      (scoped.json.value as Array<{ name: string }>).some(
        (a) => a.name === "e0000000-0000-4000-8000-0000000000a1",
      ),
    );
  });

  it("keeps the key material: the old signature verifies, and the restored key signs under the old public key", async () => {
    const { publicKey, signature } = expected.signed;
    assert.ok(verifiesEs256(publicKey, "made before the backup", signature));
    const version = expected.signed.kid.split("/").pop() as string;
    const signed = await call("POST", `/keys/fixture-ec/${version}/sign?${V}`, {
      alg: "ES256",
      value: digestOf("signed after the restore").toString("base64url"),
    });
    assert.ok(verifiesEs256(publicKey, "signed after the restore", signed.json.value));
  });

  it("restores one purged key from it (a manifest without name ranges: every chunk of the table is read)", async () => {
    await call("DELETE", `/keys/fixture-ec?${V}`);
    await call("DELETE", `/deletedkeys/fixture-ec?${V}`, undefined, 204);
    const done = await job(
      await call(
        "PUT",
        `/keys/fixture-ec/restore?${V}`,
        { sasTokenParameters: { storageResourceUri: pathToFileURL(backupRoot).href }, folder },
        202,
      ),
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.equal((await listAll(server, token, `/keys/fixture-ec/versions?${V}`)).length, 2);
  });
});
