import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import pg from "pg";
import { rawRequest } from "../harness/https-client.js";
import { databaseNameFor } from "../harness/postgres.js";
import { type TestPrincipal, adminToken, createPrincipal, tokenFor } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { filesUnder } from "../harness/files.js";

const V = "api-version=7.4";
const PROVIDER = "/providers/Microsoft.Authorization";
const CUSTOM = "d0000000-0000-4000-8000-000000000001";
const ASSIGNMENT = "d0000000-0000-4000-8000-000000000002";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as import("node:net").AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function certificateFingerprint(server: ServerProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: "127.0.0.1", port: server.port, ca: server.ca, servername: "localhost" },
      () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? "");
        socket.end();
      },
    );
    socket.on("error", reject);
  });
}

/** Every row of every table of this data directory's database, as JSON text. */
async function dumpDatabase(cluster: string, dataDir: string): Promise<Buffer> {
  const target = new URL(cluster);
  target.pathname = `/${databaseNameFor(dataDir)}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    const rows: string[] = [];
    for (const { tablename } of tables.rows) {
      const result = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
      rows.push(...result.rows.map((r) => r.row as string));
    }
    assert.ok(rows.length > 5, "the database dump has rows");
    return Buffer.from(rows.join("\n"));
  } finally {
    await client.end();
  }
}

describe("a restart keeps everything; the data directory holds no secret in plain text", () => {
  let server: ServerProcess;
  let port: number;
  let principal: TestPrincipal;
  let tokenBeforeRestart: string;
  let fingerprintBefore: string;
  let domainKeyBefore: string;

  before(async () => {
    port = await freePort();
    server = await startServerProcess({ port });
    const admin = await adminToken(server);
    principal = await createPrincipal(server, "survivor");
    const defined = await rawRequest(server, {
      method: "PUT",
      path: `${PROVIDER}/roleDefinitions/${CUSTOM}?${V}`,
      token: admin,
      body: {
        properties: {
          roleName: "survives restarts",
          permissions: [{ dataActions: ["Microsoft.KeyVault/managedHsm/roleDefinitions/read/action"] }],
        },
      },
    });
    assert.equal(defined.status, 201);
    const assigned = await rawRequest(server, {
      method: "PUT",
      path: `/keys/k1${PROVIDER}/roleAssignments/${ASSIGNMENT}?${V}`,
      token: admin,
      body: { properties: { roleDefinitionId: CUSTOM, principalId: principal.objectId } },
    });
    assert.equal(assigned.status, 201, assigned.text);
    tokenBeforeRestart = admin;
    fingerprintBefore = await certificateFingerprint(server);
    domainKeyBefore = createHash("sha256")
      .update(await readFile(join(server.dataDir, "domain.key")))
      .digest("hex");
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir, port });
  });
  after(() => server?.dispose());

  it("keeps custom role definitions and role assignments", async () => {
    const token = await adminToken(server);
    const definition = await rawRequest(server, {
      path: `${PROVIDER}/roleDefinitions/${CUSTOM}?${V}`,
      token,
    });
    assert.equal(definition.status, 200);
    assert.equal(definition.json.properties.roleName, "survives restarts");
    const assignment = await rawRequest(server, {
      path: `/keys/k1${PROVIDER}/roleAssignments/${ASSIGNMENT}?${V}`,
      token,
    });
    assert.equal(assignment.status, 200);
    assert.equal(assignment.json.properties.principalId, principal.objectId);
  });

  it("keeps principals: their secrets still work, and tokens issued before the restart stay valid", async () => {
    const token = await tokenFor(server, principal);
    assert.ok(token);
    const withOldToken = await rawRequest(server, {
      path: `${PROVIDER}/roleDefinitions?${V}`,
      token: tokenBeforeRestart,
    });
    assert.equal(withOldToken.status, 200, "same issuer key and URL: the old token verifies");
  });

  it("serves the same TLS certificate and keeps the same domain key", async () => {
    assert.equal(await certificateFingerprint(server), fingerprintBefore);
    const domainKey = createHash("sha256")
      .update(await readFile(join(server.dataDir, "domain.key")))
      .digest("hex");
    assert.equal(domainKey, domainKeyBefore);
  });

  it("does not make a second initial administrator", async () => {
    const token = await adminToken(server);
    const principals = await rawRequest(server, { path: "/mhsm/principals", token });
    assert.equal(
      principals.json.value.filter((p: { displayName: string }) => p.displayName === "initial-admin").length,
      1,
    );
  });

  it("keeps key files and credentials owner-only", async () => {
    assert.equal((await stat(server.dataDir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(server.dataDir, "domain.key"))).mode & 0o777, 0o600);
    assert.equal((await stat(join(server.dataDir, "initial-admin.json"))).mode & 0o777, 0o600);
    assert.equal((await stat(join(server.dataDir, "tls/server.key.sealed"))).mode & 0o777, 0o600);
  });

  it("has no client secret, token or private key in plain text anywhere but initial-admin.json", async () => {
    // Make the database flush its write-ahead log into the files we read, then stop.
    await server.stop();
    const domainKey = (await readFile(join(server.dataDir, "domain.key"), "utf8"))
      .trim()
      .split(" ")
      .pop() as string;
    const needles = [
      ["the initial admin's client secret", server.admin.clientSecret],
      ["a principal's client secret", principal.clientSecret],
      ["a bearer token", tokenBeforeRestart],
      ["a bearer token's signature", tokenBeforeRestart.split(".")[2] as string],
      ["the domain key", domainKey],
      ["a PEM private key", "PRIVATE KEY"],
    ] as const;
    const files = (await filesUnder(server.dataDir)).filter(
      (file) => !file.endsWith("initial-admin.json") && !file.endsWith("domain.key"),
    );
    const onPostgres = process.env.MHSM_TEST_POSTGRES_URL;
    assert.ok(files.some((f) => f.endsWith("audit.log")));
    assert.ok(onPostgres || files.some((f) => f.endsWith("mhsm.db")), "the SQLite database is scanned");
    const stores: Array<[string, Buffer]> = [];
    for (const file of files) stores.push([file, await readFile(file)]);
    // On PostgreSQL the database is not in the data directory: scan a dump of its tables too.
    if (onPostgres) stores.push(["the PostgreSQL database", await dumpDatabase(onPostgres, server.dataDir)]);
    for (const [where, bytes] of stores) {
      for (const [what, needle] of needles) {
        assert.ok(!bytes.includes(Buffer.from(needle)), `${what} found in ${where}`);
      }
    }
    const audit = await readFile(join(server.dataDir, "audit.log"), "utf8");
    assert.ok(audit.split("\n").filter(Boolean).length > 5, "the audit log has records");
    server = await startServerProcess({ dataDir: server.dataDir, port });
  });
});
