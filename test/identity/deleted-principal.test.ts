import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";

const V = "api-version=7.5";
const PROVIDER = "/providers/Microsoft.Authorization";
const ROLE = {
  ADMINISTRATOR: "a290e904-7015-4bba-90c8-60543313cdb4",
  CRYPTO_AUDITOR: "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3",
};

describe("a deleted principal of the embedded identity provider", () => {
  let server: ServerProcess;
  let admin: string;
  let doomed: TestPrincipal;

  const as = (token: string, method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });

  before(async () => {
    // A long RBAC cache: the refusal cannot come from a cache growing old.
    server = await startServerProcess({ args: ["--rbac-cache-seconds", "600"] });
    admin = await adminToken(server);
    doomed = await createPrincipal(server, "doomed");
    for (const [scope, role] of [
      ["", ROLE.ADMINISTRATOR],
      ["/keys", ROLE.CRYPTO_AUDITOR],
    ] as const) {
      const assigned = await as(admin, "PUT", `${scope}${PROVIDER}/roleAssignments/${randomUUID()}?${V}`, {
        properties: { roleDefinitionId: role, principalId: doomed.objectId },
      });
      assert.equal(assigned.status, 201, assigned.text);
    }
  });
  after(() => server?.dispose());

  it("has its token refused right after the delete, and its role assignments gone", async () => {
    // The token works (and is now in the server's verified-token cache).
    assert.equal((await as(doomed.token, "GET", `${PROVIDER}/roleDefinitions?${V}`)).status, 200);

    const deleted = await as(admin, "DELETE", `/mhsm/principals/${doomed.objectId}`);
    assert.equal(deleted.status, 200, deleted.text);

    const refused = await as(doomed.token, "GET", `${PROVIDER}/roleDefinitions?${V}`);
    assert.equal(refused.status, 401, "the deleted principal's token is refused");
    assert.match(
      String(refused.headers["www-authenticate"]),
      /^Bearer authorization="https:\/\/[^"]+", resource="https:\/\/managedhsm\.azure\.net".*error="invalid_token"/,
    );
    assert.equal(refused.json.error.code, "Unauthorized");
    assert.match(refused.json.error.message, /principal does not exist/);
    // Refused for anything, not just what it used before (e.g. deleting the admin's principal).
    assert.equal((await as(doomed.token, "DELETE", `/mhsm/principals/${server.admin.objectId}`)).status, 401);

    // Its role assignments went with it, at every scope.
    for (const scope of ["", "/keys"]) {
      const listed = await as(admin, "GET", `${scope}${PROVIDER}/roleAssignments?${V}`);
      assert.equal(listed.status, 200, listed.text);
      const mine = (listed.json.value as Array<{ properties: { principalId: string } }>).filter(
        (a) => a.properties.principalId === doomed.objectId,
      );
      assert.deepEqual(mine, [], `no role assignment of the deleted principal at '${scope || "/"}'`);
    }

    // Its secret gets no new token either; the administrator's token still works.
    const tokenPath = new URL(server.admin.tokenEndpoint).pathname;
    const again = await rawRequest(server, {
      method: "POST",
      path: tokenPath,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: doomed.clientId,
        client_secret: doomed.clientSecret,
        scope: "https://managedhsm.azure.net/.default",
      }).toString(),
    });
    assert.equal(again.status, 401);
    assert.equal((await as(admin, "GET", `${PROVIDER}/roleDefinitions?${V}`)).status, 200);

    // The audit log records the refusal, without the token.
    const requestId = String(refused.headers["x-ms-request-id"]);
    const record = await waitFor(
      async () => {
        const text = await readFile(join(server.dataDir, "audit.log"), "utf8");
        if (text.includes(doomed.token) || text.includes(doomed.clientSecret)) {
          throw new Error("a token or secret reached the audit log");
        }
        return text
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((r) => r.requestId === requestId);
      },
      { what: "the refusal's audit record", timeoutMs: 5000 },
    );
    assert.equal(record.status, 401);
    assert.equal(record.result, "failure");
    assert.equal(record.errorCode, "Unauthorized");
    assert.equal(record.caller, null);
    assert.equal(record.operation, "RoleDefinitions_List");
  });

  it("does not refuse a principal created after the server read its principals", async () => {
    // The server has read its list of principals (above); a new one is admitted at once.
    const fresh = await createPrincipal(server, "fresh");
    const response = await as(fresh.token, "GET", `${PROVIDER}/roleDefinitions?${V}`);
    assert.equal(response.status, 403, "known to the HSM (no role yet), not refused as unknown");
  });
});
