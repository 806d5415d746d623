import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.5";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";

/**
 * Requests for a selective restore that must be refused at once, now that the key may exist:
 * a bad name or body is a 400, a caller without restore/start a 403, and none of them starts a
 * job or touches the key.
 */
describe("selective key restore: refused requests change nothing", () => {
  let server: ServerProcess;
  let token: string;
  let officer: TestPrincipal;
  let rootUrl: string;
  let folder: string;

  const call = (method: string, path: string, body?: unknown, who = token) =>
    rawRequest(server, { method, path, token: who, body });
  const restore = (
    name: string,
    body: unknown = { sasTokenParameters: { storageResourceUri: rootUrl }, folder },
    who = token,
  ) => call("PUT", `/keys/${name}/restore?${V}`, body, who);
  const grant = async (role: string, principalId: string) => {
    const made = await call(
      "PUT",
      `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${V}`,
      {
        properties: { roleDefinitionId: role, principalId },
      },
    );
    assert.equal(made.status, 201, made.text);
  };
  const keyState = async () => {
    const versions = await call("GET", `/keys/guarded/versions?${V}`);
    return versions.json;
  };

  before(async () => {
    server = await startServerProcess();
    token = await adminToken(server);
    await grant(CRYPTO_USER, server.admin.objectId);
    officer = await createPrincipal(server, "key-officer");
    await grant(CRYPTO_OFFICER, officer.objectId);
    await grant(CRYPTO_USER, officer.objectId);
    assert.equal(
      (await call("POST", `/keys/guarded/create?${V}`, { kty: "EC-HSM", crv: "P-256" })).status,
      200,
    );
    const root = join(server.dataDir, "backups");
    await mkdir(root, { recursive: true });
    rootUrl = pathToFileURL(root).href;
    const done = await waitForJob(
      server,
      token,
      await call("POST", `/backup?${V}`, { storageResourceUri: rootUrl }),
    );
    assert.equal(done.json.status, "Succeeded", done.text);
    folder = String(done.json.azureStorageBlobContainerUri).split("/").pop() as string;
    // A version made after the backup: a restore that ran would leave it, but report on the job.
    assert.equal(
      (await call("POST", `/keys/guarded/create?${V}`, { kty: "EC-HSM", crv: "P-256" })).status,
      200,
    );
  });
  after(() => server?.dispose());

  it("refuses key names a key cannot have with 400 BadParameter", async () => {
    const before = await keyState();
    for (const name of ["bad_name", "x".repeat(128), "guarded.v2"]) {
      const refused = await restore(name);
      assert.equal(refused.status, 400, `${name}: ${refused.text}`);
      assert.equal(refused.json.error.code, "BadParameter");
      assert.ok(
        refused.json.error.message.includes(`'/keys/${name}' is not valid`),
        refused.json.error.message,
      );
    }
    assert.deepEqual(await keyState(), before);
  });

  it("refuses a body without the folder, or with a huge one, with 400", async () => {
    const noFolder = await restore("guarded", { sasTokenParameters: { storageResourceUri: rootUrl } });
    assert.equal(noFolder.status, 400, noFolder.text);
    const huge = await restore("guarded", {
      sasTokenParameters: { storageResourceUri: rootUrl },
      folder: "f".repeat(5000),
    });
    assert.equal(huge.status, 400, huge.text);
  });

  it("refuses a Crypto Officer, who may manage the key but not restore it, with 403", async () => {
    const before = await keyState();
    const refused = await restore("guarded", undefined, officer.token);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.error.code, "AccessDenied");
    assert.match(refused.json.error.message, /restore\/start\/action on \/keys\/guarded/);
    assert.deepEqual(await keyState(), before);
  });

  it("the same restore by the Administrator runs, and keeps the key as it is", async () => {
    const before = await keyState();
    const accepted = await restore("guarded");
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    assert.equal(
      done.json.statusDetails,
      "Number of successful key versions restored: 0, Number of key versions could not overwrite: 1",
    );
    assert.deepEqual(await keyState(), before);
  });
});
