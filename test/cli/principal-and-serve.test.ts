import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { tokenFor } from "../harness/principals.js";
import {
  type ServerProcess,
  runMhsm,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";

describe("mhsm principal create|list|delete", () => {
  let server: ServerProcess;
  let adminFile: string;
  before(async () => {
    server = await startServerProcess();
    adminFile = join(server.dataDir, "initial-admin.json");
  });
  after(() => server?.dispose());

  it("creates a principal and prints exactly its credentials as JSON", async () => {
    const result = await runMhsm([
      "principal",
      "create",
      "--admin-file",
      adminFile,
      "--name",
      "ci-signer",
      "--output",
      "json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(created).sort(), ["clientId", "clientSecret", "objectId", "tenantId"]);
    assert.equal(created.tenantId, server.admin.tenantId);
    const token = await tokenFor(server, created);
    const denied = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      token,
    });
    assert.equal(denied.status, 403, "a new principal has no role");

    const listed = await runMhsm(["principal", "list", "--admin-file", adminFile, "--output", "json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const principals = JSON.parse(listed.stdout) as Array<{ objectId: string; displayName: string }>;
    assert.ok(principals.some((p) => p.objectId === created.objectId && p.displayName === "ci-signer"));
    assert.ok(!listed.stdout.includes(created.clientSecret), "list never shows secrets");

    const deleted = await runMhsm([
      "principal",
      "delete",
      created.objectId,
      "--admin-file",
      adminFile,
      "--output",
      "json",
    ]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await assert.rejects(tokenFor(server, created), /invalid_client/);
  });

  it("fails clearly: unknown principal, bad name, missing admin file, unknown flag", async () => {
    const unknown = await runMhsm([
      "principal",
      "delete",
      "00000000-0000-0000-0000-000000000000",
      "--admin-file",
      adminFile,
    ]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /PrincipalNotFound/);
    const badName = await runMhsm(["principal", "create", "--admin-file", adminFile, "--name", "<script>"]);
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /BadParameter/);
    const noFile = await runMhsm(["principal", "list"], { MHSM_ADMIN_FILE: "" });
    assert.notEqual(noFile.code, 0);
    assert.match(noFile.stderr, /--admin-file/);
    const unknownFlag = await runMhsm(["principal", "list", "--bogus"]);
    assert.notEqual(unknownFlag.code, 0);
    assert.match(unknownFlag.stderr, /unknown option '--bogus'/);
  });

  it("shows an example in --help", async () => {
    const help = await runMhsm(["principal", "create", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n\s+mhsm principal create --admin-file/);
  });

  it("prints its version with --version and -V", async () => {
    const { version } = JSON.parse(
      await readFile(new URL("../../packages/cli/package.json", import.meta.url), "utf8"),
    ) as {
      version: string;
    };
    for (const flag of ["--version", "-V"]) {
      const result = await runMhsm([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${version}\n`);
    }
  });
});

describe("mhsm serve configuration", () => {
  it("takes its settings from MHSM_* environment variables", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-env-"));
    const server = await startServerProcess({
      dataDir,
      env: { MHSM_HSM_NAME: "envhsm", MHSM_LIST_PAGE_SIZE: "1" },
    });
    try {
      const token = await tokenFor(server, server.admin);
      const page = await rawRequest(server, {
        path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
        token,
      });
      assert.equal(page.json.value.length, 1, "MHSM_LIST_PAGE_SIZE applied");
    } finally {
      await server.dispose();
    }
  });

  it("stops with a clear message on a bad value", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-bad-"));
    try {
      const badPort = await runServeExpectingFailure(["--data-dir", dataDir, "--port", "http"]);
      assert.equal(badPort.code, 2);
      assert.match(badPort.stderr, /invalid configuration: port/);
      const badAdmin = await runServeExpectingFailure(["--data-dir", dataDir, "--administrator", "bob"]);
      assert.equal(badAdmin.code, 2);
      assert.match(badAdmin.stderr, /administrators\.0: must be a GUID/);
      const badLevel = await runServeExpectingFailure(["--data-dir", dataDir], { MHSM_LOG_LEVEL: "loud" });
      assert.equal(badLevel.code, 2);
      assert.match(badLevel.stderr, /logLevel/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
