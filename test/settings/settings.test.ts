import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const SETTING = "AllowKeyManagementOperationsThroughARM";
const V = "api-version=7.5";

describe("settings", () => {
  let server: ServerProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;

  before(async () => {
    server = await startServerProcess();
    out = await runPython(join(import.meta.dirname, "python/settings_readme.py"), server);
  });
  after(() => server?.dispose());

  it("lists, gets and updates AllowKeyManagementOperationsThroughARM with the official Python SDK", () => {
    assert.deepEqual(out.listed, [{ name: SETTING, value: "false", type: "boolean" }]);
    assert.deepEqual(out.got, { name: SETTING, value: "false" });
    assert.deepEqual(out.updated, { name: SETTING, value: "true" });
    assert.equal(out.after_update, "true");
  });

  it("refuses a value that is not a boolean, changing nothing, and 404s an unknown setting", () => {
    assert.deepEqual(out.bad_value, { status: 400, code: "BadParameter" });
    assert.equal(out.after_bad_value, "true");
    assert.deepEqual(out.unknown, { status: 404 });
  });

  it("keeps the value across a restart, and normalises case", async () => {
    const token = await adminToken(server);
    const patched = await rawRequest(server, {
      method: "PATCH",
      path: `/settings/${SETTING.toLowerCase()}?${V}`,
      token,
      body: { value: "FALSE" },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.json, { name: SETTING, value: "false", type: "boolean" });
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir });
    const got = await rawRequest(server, {
      path: `/settings/${SETTING}?${V}`,
      token: await adminToken(server),
    });
    assert.equal(got.json.value, "false");
  });

  it("validates the body", async () => {
    const token = await adminToken(server);
    for (const body of [{}, { value: true }, { value: null }]) {
      const response = await rawRequest(server, {
        method: "PATCH",
        path: `/settings/${SETTING}?${V}`,
        token,
        body,
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.error.code, "BadParameter");
    }
  });

  it("needs settings/read/action to read and settings/write/action to write", async () => {
    const token = await adminToken(server);
    const crypto = await createPrincipal(server, "crypto-officer");
    const assigned = await rawRequest(server, {
      method: "PUT",
      path: `/providers/Microsoft.Authorization/roleAssignments/${crypto.objectId}?${V}`,
      token,
      body: {
        properties: {
          roleDefinitionId: "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
          principalId: crypto.objectId,
        },
      },
    });
    assert.equal(assigned.status, 201);
    const read = await rawRequest(server, { path: `/settings?${V}`, token: crypto.token });
    assert.equal(read.status, 403);
    assert.match(read.json.error.message, /settings\/read\/action on \//);
    const write = await rawRequest(server, {
      method: "PATCH",
      path: `/settings/${SETTING}?${V}`,
      token: crypto.token,
      body: { value: "true" },
    });
    assert.equal(write.status, 403);
    assert.match(write.json.error.message, /settings\/write\/action on \//);
  });
});
