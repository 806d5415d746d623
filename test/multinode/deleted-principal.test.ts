import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { type Cluster, startCluster } from "./cluster.js";

const V = "api-version=7.5";
const PROVIDER = "/providers/Microsoft.Authorization";
const ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4";
/** The README's bound for a change to reach every node over the change feed, with slack for a busy machine. */
const NOTIFY_DEADLINE_MS = 3000;

describe("a principal deleted on one node", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    // Caches that outlive the test: node b can only learn of the deletion through the change feed.
    cluster = await startCluster(2, ["--rbac-cache-seconds", "600"]);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
  });
  after(() => cluster?.dispose());

  it("has its token refused on the other node within seconds, and its role assignments gone there", async () => {
    const admin = await adminToken(a);
    const doomed = await createPrincipal(a, "doomed-on-a");
    const assigned = await rawRequest(a, {
      method: "PUT",
      path: `${PROVIDER}/roleAssignments/${randomUUID()}?${V}`,
      token: admin,
      body: { properties: { roleDefinitionId: ADMINISTRATOR, principalId: doomed.objectId } },
    });
    assert.equal(assigned.status, 201, assigned.text);
    const onB = () => rawRequest(b, { path: `${PROVIDER}/roleDefinitions?${V}`, token: doomed.token });
    // Node b has verified (and cached) the token, its grants and its list of principals.
    assert.equal((await onB()).status, 200);
    assert.equal((await onB()).status, 200);

    const deleted = await rawRequest(a, {
      method: "DELETE",
      path: `/mhsm/principals/${doomed.objectId}`,
      token: admin,
    });
    assert.equal(deleted.status, 200, deleted.text);

    const refused = await waitFor(
      async () => {
        const response = await onB();
        if (response.status === 401) return response;
        assert.equal(response.status, 200, response.text);
        return undefined;
      },
      { what: "node b to refuse the deleted principal's token", timeoutMs: NOTIFY_DEADLINE_MS },
    );
    assert.match(String(refused.headers["www-authenticate"]), /error="invalid_token"/);
    assert.match(refused.json.error.message, /principal does not exist/);

    const listed = await rawRequest(b, {
      path: `${PROVIDER}/roleAssignments?${V}`,
      token: await adminToken(b),
    });
    assert.equal(listed.status, 200, listed.text);
    assert.ok(
      !(listed.json.value as Array<{ properties: { principalId: string } }>).some(
        (x) => x.properties.principalId === doomed.objectId,
      ),
      "the deleted principal's role assignment is gone on node b",
    );
  });

  it("admits on one node a principal just created on the other", async () => {
    const made = await createPrincipal(a, "made-on-a");
    const response = await rawRequest(b, { path: `${PROVIDER}/roleDefinitions?${V}`, token: made.token });
    assert.equal(response.status, 403, "known (no role yet), not refused as an unknown principal");
  });
});
