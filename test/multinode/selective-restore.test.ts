import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken, createPrincipal, type TestPrincipal } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type Cluster, startCluster } from "./cluster.js";

const V = "api-version=7.5";
const ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
/** The stated bound for a change to reach every node over the change feed (README). */
const NOTIFY_BOUND_MS = 1000;

/**
 * A selective restore run by one node is served by the others at once: their key caches live
 * for ten minutes here, so only the change feed can tell them.
 */
describe("selective key restore on one node of several", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  let azurite: Azurite;
  let keyUser: TestPrincipal;

  const on = (node: ServerProcess, method: string, path: string, body?: unknown, who = token) =>
    rawRequest(node, { method, path, token: who, body });
  const assign = async (scope: string, role: string, principalId: string) => {
    const prefix = scope === "/" ? "" : scope;
    const made = await on(a, "PUT", `${prefix}${ASSIGNMENTS}/${randomUUID()}?${V}`, {
      properties: { roleDefinitionId: role, principalId },
    });
    assert.equal(made.status, 201, made.text);
  };

  before(async () => {
    const config = join(tmpdir(), `mhsm-selective-cluster-${process.pid}.json`);
    await writeFile(config, JSON.stringify({ keys: { lookupCacheSeconds: 600 } }));
    cluster = await startCluster(2, ["--config", config, "--rbac-cache-seconds", "600"]);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    token = await adminToken(a);
    await assign("/", CRYPTO_USER, a.admin.objectId);
    await assign("/", CRYPTO_OFFICER, a.admin.objectId);
    keyUser = await createPrincipal(a, "shared-key-user");
    await assign("/keys/shared", CRYPTO_USER, keyUser.objectId);
    azurite = await startAzurite();
    await azurite.createContainer("cluster");
  });
  after(async () => {
    await cluster?.dispose();
    await azurite?.stop();
  });

  it("serves the restored versions on the other node at once, with the key-scoped grant still working", async () => {
    const digest = randomBytes(32).toString("base64url");
    const created = await on(a, "POST", `/keys/shared/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(created.status, 200, created.text);
    const v1 = String(created.json.key.kid).split("/").pop() as string;
    const signed = await on(a, "POST", `/keys/shared/${v1}/sign?${V}`, { alg: "ES256", value: digest });
    assert.equal(signed.status, 200, signed.text);

    const sas = azurite.sas("cluster");
    const backup = await on(a, "POST", `/backup?${V}`, {
      storageResourceUri: `${azurite.accountUrl}/cluster`,
      token: sas,
    });
    const backedUp = await waitForJob(a, token, backup);
    assert.equal(backedUp.json.status, "Succeeded", backedUp.text);

    // The key is purged and made anew; node B reads (and caches) that v1 is gone.
    assert.equal((await on(a, "DELETE", `/keys/shared?${V}`)).status, 200);
    assert.equal((await on(a, "DELETE", `/deletedkeys/shared?${V}`)).status, 204);
    const anew = await on(a, "POST", `/keys/shared/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(anew.status, 200, anew.text);
    const verifyOnB = (who = token) =>
      on(
        b,
        "POST",
        `/keys/shared/${v1}/verify?${V}`,
        { alg: "ES256", digest, value: signed.json.value },
        who,
      );
    await waitFor(verifyOnB, {
      what: "node B to see v1 gone",
      timeoutMs: NOTIFY_BOUND_MS,
      until: (response) => response.status === 404,
    });

    const restore = await on(a, "PUT", `/keys/shared/restore?${V}`, {
      sasTokenParameters: { storageResourceUri: `${azurite.accountUrl}/cluster`, token: sas },
      folder: String(backedUp.json.azureStorageBlobContainerUri).split("/").pop(),
    });
    assert.equal(restore.status, 202, restore.text);
    const restored = await waitForJob(a, token, restore);
    assert.equal(restored.json.status, "Succeeded", restored.text);

    const verified: RawResponse = await waitFor(verifyOnB, {
      what: "node B to serve the restored v1",
      timeoutMs: NOTIFY_BOUND_MS,
      until: (response) => response.status === 200,
    });
    assert.equal(verified.json.value, true, "a signature from before the backup verifies on B");
    const byKeyUser = await verifyOnB(keyUser.token);
    assert.equal(byKeyUser.status, 200, byKeyUser.text);
    const current = await on(b, "GET", `/keys/shared?${V}`);
    const versionOf = (kid: unknown) => String(kid).split("/").pop();
    assert.equal(
      versionOf(current.json.key.kid),
      versionOf(anew.json.key.kid),
      "the key made anew stays current on B",
    );
  });
});
