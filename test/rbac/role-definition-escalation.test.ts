import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

/**
 * The outside review's escalation: role definitions were authorized at the scope of the path
 * they arrived on, though a definition is in force wherever it is assigned. A principal with
 * roleDefinitions/write at /keys/k1 rewrote a custom role it held at "/" to dataActions ["*"]
 * and then made itself Administrator. Writes and deletes now need their action at "/".
 */
const V = "api-version=7.4";
const PROVIDER = "/providers/Microsoft.Authorization";
const ACTION = "Microsoft.KeyVault/managedHsm";
const ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4";
const definitionId = (guid: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const HELD_AT_ROOT = "c1000000-0000-4000-8000-000000000001"; // keys/read, held at "/"
const DEFINITION_WRITER = "c1000000-0000-4000-8000-000000000002"; // definitions write/delete
const STARS = "c1000000-0000-4000-8000-000000000003";

describe("role definition writes need their action at '/'", () => {
  let server: ServerProcess;
  let admin: string;
  let attacker: TestPrincipal;
  let keysWriter: TestPrincipal;
  let rootWriter: TestPrincipal;
  const as = (token: string, method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const putDefinition = async (token: string, prefix: string, name: string, dataActions: string[]) =>
    as(token, "PUT", `${prefix}${PROVIDER}/roleDefinitions/${name}?${V}`, {
      properties: { roleName: `role ${name}`, permissions: [{ dataActions }] },
    });
  const assign = async (scope: string, role: string, principalId: string) => {
    const response = await as(
      admin,
      "PUT",
      `${scope === "/" ? "" : scope}${PROVIDER}/roleAssignments/${crypto.randomUUID()}?${V}`,
      { properties: { roleDefinitionId: definitionId(role), principalId } },
    );
    assert.equal(response.status, 201, response.text);
  };
  const heldRole = async () => {
    const response = await as(admin, "GET", `${PROVIDER}/roleDefinitions/${HELD_AT_ROOT}?${V}`);
    assert.equal(response.status, 200, response.text);
    return response.json.properties.permissions[0].dataActions as string[];
  };

  before(async () => {
    server = await startServerProcess();
    admin = await adminToken(server);
    [attacker, keysWriter, rootWriter] = await Promise.all([
      createPrincipal(server, "attacker"),
      createPrincipal(server, "keys-writer"),
      createPrincipal(server, "root-writer"),
    ]);
    const writerActions = [
      `${ACTION}/roleDefinitions/write/action`,
      `${ACTION}/roleDefinitions/delete/action`,
      `${ACTION}/roleDefinitions/read/action`,
    ];
    for (const [name, actions] of [
      [HELD_AT_ROOT, [`${ACTION}/keys/read/action`]],
      [DEFINITION_WRITER, writerActions],
    ] as const) {
      const created = await putDefinition(admin, "", name, [...actions]);
      assert.equal(created.status, 201, created.text);
    }
    await assign("/", HELD_AT_ROOT, attacker.objectId);
    await assign("/keys/k1", DEFINITION_WRITER, attacker.objectId);
    await assign("/keys", DEFINITION_WRITER, keysWriter.objectId);
    await assign("/", DEFINITION_WRITER, rootWriter.objectId);
  });

  after(() => server?.dispose());

  it("refuses the review's attack: a write at /keys/k1 to a role held at '/'", async () => {
    for (const prefix of ["/keys/k1", "/keys/K1", "//keys/k1/", "/keys%2Fk1"]) {
      const response = await putDefinition(attacker.token, prefix, HELD_AT_ROOT, ["*"]);
      assert.equal(response.status, 403, `${prefix}: ${response.text}`);
      assert.equal(response.json.error.code, "AccessDenied");
      assert.match(response.json.error.message, /roleDefinitions\/write\/action on \/ \(Activity ID/);
    }
    assert.deepEqual(await heldRole(), [`${ACTION}/keys/read/action`]);
    // And so the second step of the attack stays closed.
    const grab = await as(attacker.token, "PUT", `${PROVIDER}/roleAssignments/${crypto.randomUUID()}?${V}`, {
      properties: { roleDefinitionId: definitionId(ADMINISTRATOR), principalId: attacker.objectId },
    });
    assert.equal(grab.status, 403, grab.text);
  });

  it("refuses new definitions and deletes from key and /keys scopes", async () => {
    const fresh = "c1000000-0000-4000-8000-0000000000ff";
    for (const [token, prefix] of [
      [attacker.token, "/keys/k1"],
      [keysWriter.token, "/keys"],
      [keysWriter.token, ""],
    ] as const) {
      const created = await putDefinition(token, prefix, fresh, [`${ACTION}/keys/read/action`]);
      assert.equal(created.status, 403, `${prefix}: ${created.text}`);
      const deleted = await as(token, "DELETE", `${prefix}${PROVIDER}/roleDefinitions/${HELD_AT_ROOT}?${V}`);
      assert.equal(deleted.status, 403, `${prefix}: ${deleted.text}`);
    }
    const missing = await as(admin, "GET", `${PROVIDER}/roleDefinitions/${fresh}?${V}`);
    assert.equal(missing.status, 404, missing.text);
    assert.deepEqual(await heldRole(), [`${ACTION}/keys/read/action`]);
  });

  it("still lets a principal with the action at '/' write on any path spelling", async () => {
    const response = await putDefinition(rootWriter.token, "/keys", STARS, [`${ACTION}/keys/read/action`]);
    assert.equal(response.status, 201, response.text);
    const deleted = await as(rootWriter.token, "DELETE", `/keys/k9${PROVIDER}/roleDefinitions/${STARS}?${V}`);
    assert.equal(deleted.status, 200, deleted.text);
  });

  it("answers a request checked against a role of many wildcards at once", { timeout: 30_000 }, async () => {
    // 24 stars: the regex-per-star matcher needed longer than any timeout for this near-miss.
    const pattern = `${"*a".repeat(24)}*X`;
    const created = await putDefinition(admin, "", STARS, [pattern]);
    assert.equal(created.status, 201, created.text);
    const holder = await createPrincipal(server, "stars");
    await assign("/", STARS, holder.objectId);
    const response = await as(holder.token, "GET", `${PROVIDER}/roleAssignments?${V}`);
    assert.equal(response.status, 403, response.text);
  });
});
