import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { mountTmpfs } from "./tmpfs.js";

const V = "api-version=7.4";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
const ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const ON_POSTGRES = Boolean(process.env.MHSM_TEST_POSTGRES_URL);

interface AuditLine {
  requestId: string;
  status: number;
}

/**
 * A server whose data directory is on a small real tmpfs that fills up. Every answer the test
 * gets is kept, so it can check at the end that no 2xx went out without its audit record.
 */
async function fullDiskServer(options: { auditElsewhere?: string } = {}) {
  const disk = await mountTmpfs(8 * 1024 * 1024);
  const dataDir = join(disk.dir, "data");
  await mkdir(dataDir, { mode: 0o700 });
  if (options.auditElsewhere) {
    await writeFile(options.auditElsewhere, "", { mode: 0o600 });
    await symlink(options.auditElsewhere, join(dataDir, "audit.log"));
  }
  let server: ServerProcess;
  try {
    server = await startServerProcess({ dataDir });
  } catch (error) {
    await disk.unmount();
    throw error;
  }
  const token = await adminToken(server);
  const answers: RawResponse[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await rawRequest(server, { method, path, token, body });
    answers.push(response);
    return response;
  };
  const granted = await call("PUT", `${ASSIGNMENTS}/${crypto.randomUUID()}?${V}`, {
    properties: { roleDefinitionId: CRYPTO_USER, principalId: server.admin.objectId },
  });
  assert.equal(granted.status, 201, granted.text);
  return { disk, server, call, answers };
}

/** The server process is up and answered (no crash, no restart). */
function assertAlive(server: ServerProcess) {
  assert.doesNotMatch(server.output(), /unhandled|uncaught|exited/i, server.output());
}

function assertKeyVaultError(response: RawResponse, statuses: number[], code?: RegExp) {
  assert.ok(statuses.includes(response.status), `${response.status}: ${response.text}`);
  assert.equal(typeof response.json?.error?.code, "string", response.text);
  assert.equal(typeof response.json.error.message, "string", response.text);
  if (code) assert.match(response.json.error.code, code, response.text);
}

/** Every 2xx the test got has its record in audit.log, with that status. */
async function assertEverySuccessAudited(auditFile: string, answers: RawResponse[]) {
  const records = new Map<string, AuditLine>();
  for (const line of (await readFile(auditFile, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as AuditLine;
    records.set(record.requestId, record);
  }
  const successes = answers.filter((answer) => answer.status >= 200 && answer.status < 300);
  assert.ok(successes.length > 0);
  for (const answer of successes) {
    const id = String(answer.headers["x-ms-request-id"]);
    assert.equal(records.get(id)?.status, answer.status, `no audit record for the ${answer.status} of ${id}`);
  }
}

describe(
  "a full disk under the database",
  { skip: ON_POSTGRES && "the database is not on the data disk" },
  () => {
    let context: Awaited<ReturnType<typeof fullDiskServer>>;
    let outside: string;

    before(async () => {
      outside = await mkdtemp(join(tmpdir(), "mhsm-audit-"));
      // The audit log lives elsewhere here, so what fails is the database alone.
      context = await fullDiskServer({ auditElsewhere: join(outside, "audit.log") });
    });
    after(async () => {
      await context?.server.stop();
      await context?.disk.unmount();
      await rm(context?.server.dataDir ?? "", { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    });

    it("answers 507 InsufficientStorage, changes nothing, stays up and serves again when space returns", async () => {
      const { disk, server, call, answers } = context;
      const before = await call("POST", `/keys/before-full/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
      assert.equal(before.status, 200, before.text);

      await disk.fill();
      const key = await call("POST", `/keys/while-full/create?${V}`, { kty: "RSA-HSM", key_size: 4096 });
      assertKeyVaultError(key, [507], /^InsufficientStorage$/);
      assert.match(key.json.error.message, /disk is full/);
      const assignmentName = crypto.randomUUID();
      const assignment = await call("PUT", `${ASSIGNMENTS}/${assignmentName}?${V}`, {
        properties: { roleDefinitionId: CRYPTO_OFFICER, principalId: server.admin.objectId },
      });
      assertKeyVaultError(assignment, [507], /^InsufficientStorage$/);
      // Reads of what is stored still work on a full disk (or fail clearly, never a crash).
      const read = await call("GET", `/keys/before-full?${V}`);
      assert.ok(read.status === 200 || read.status === 507 || read.status === 503, read.text);
      assertAlive(server);

      await disk.free();
      assert.equal((await call("GET", `/keys/while-full?${V}`)).status, 404);
      assert.equal((await call("GET", `${ASSIGNMENTS}/${assignmentName}?${V}`)).status, 404);
      const after = await call("POST", `/keys/after-full/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
      assert.equal(after.status, 200, after.text);
      const again = await call("PUT", `${ASSIGNMENTS}/${assignmentName}?${V}`, {
        properties: { roleDefinitionId: CRYPTO_OFFICER, principalId: server.admin.objectId },
      });
      assert.equal(again.status, 201, again.text);

      await server.stop();
      await assertEverySuccessAudited(join(outside, "audit.log"), answers);
    });
  },
);

describe("a full disk under the audit log", () => {
  let context: Awaited<ReturnType<typeof fullDiskServer>>;

  before(async () => {
    context = await fullDiskServer();
  });
  after(async () => {
    await context?.server.stop();
    await context?.disk.unmount();
    await rm(context?.server.dataDir ?? "", { recursive: true, force: true });
  });

  it("fails closed: 503 without a record, refuses writes before they run, recovers by itself", async () => {
    const { disk, server, call, answers } = context;
    const created = await call("POST", `/keys/before-full/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(created.status, 200, created.text);

    await disk.fill();
    // Records still fit in the audit log's last page until it is full; then a read, which
    // changes nothing, must not succeed either without its record.
    let read: RawResponse | undefined;
    for (let i = 0; i < 100 && (read === undefined || read.status === 200); i++)
      read = await call("GET", `/keys/before-full?${V}`);
    assertKeyVaultError(read as RawResponse, [503]);
    // From now on requests are refused before their handler runs.
    const key = await call("POST", `/keys/while-full/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assertKeyVaultError(key, [503], /^AuditLogUnavailable$/);
    assert.match(key.json.error.message, /audit log/);
    assert.equal(key.headers["retry-after"], "5");
    const assignmentName = crypto.randomUUID();
    const assignment = await call("PUT", `${ASSIGNMENTS}/${assignmentName}?${V}`, {
      properties: { roleDefinitionId: CRYPTO_OFFICER, principalId: server.admin.objectId },
    });
    assertKeyVaultError(assignment, [503], /^AuditLogUnavailable$/);
    for (let i = 0; i < 5; i++) assertKeyVaultError(await call("GET", `/keys?${V}`), [503]);
    assertAlive(server);
    // Why, in the server's log: once per outage, not once per request.
    assert.equal(server.output().match(/audit log cannot be written/g)?.length, 1, server.output());
    assert.match(server.output(), /ENOSPC/);

    await disk.free();
    // Each refused request's own record is the probe: the log comes back without a restart.
    let recovered: RawResponse | undefined;
    for (let attempt = 0; attempt < 5 && recovered?.status !== 200; attempt++)
      recovered = await call("GET", `/keys/before-full?${V}`);
    assert.equal(recovered?.status, 200, recovered?.text);
    assert.match(server.output(), /audit log is writable again/);
    assert.equal((await call("GET", `/keys/while-full?${V}`)).status, 404);
    assert.equal((await call("GET", `${ASSIGNMENTS}/${assignmentName}?${V}`)).status, 404);
    const after = await call("POST", `/keys/after-full/create?${V}`, { kty: "EC-HSM", crv: "P-256" });
    assert.equal(after.status, 200, after.text);

    await server.stop();
    await assertEverySuccessAudited(join(server.dataDir, "audit.log"), answers);
  });
});
