import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { Scrape } from "../metrics/prometheus-text.js";
import { type Tmpfs, mountTmpfs } from "../server/tmpfs.js";

const LIST = "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4";

/**
 * The audit log on a small real tmpfs that fills up (the data directory elsewhere): while the
 * log cannot be written the HSM refuses requests, and the probes say so. /healthz still
 * answers (the process is fine), /readyz answers 503 with the reason, /metrics still answers
 * and counts the failed writes; once space returns the HSM is ready again.
 */
describe("probes and metrics while the audit log cannot be written", () => {
  let disk: Tmpfs;
  let dataDir: string;
  let server: ServerProcess;
  let token: string;

  before(async () => {
    disk = await mountTmpfs(1024 * 1024);
    dataDir = await mkdtemp(join(tmpdir(), "mhsm-audit-outage-"));
    const auditFile = join(disk.dir, "audit.log");
    await writeFile(auditFile, "", { mode: 0o600 });
    await symlink(auditFile, join(dataDir, "audit.log"));
    server = await startServerProcess({ dataDir });
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
    await disk?.unmount();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps /healthz and /metrics answering, turns /readyz to 503 with the reason, counts failed writes", async () => {
    assert.equal((await rawRequest(server, { path: LIST, token })).status, 200);
    await disk.fill();
    // The log's last page (tmpfs allocates whole pages) still takes a few records.
    const refused = await waitFor(() => rawRequest(server, { path: LIST, token }), {
      what: "a request refused because its record does not fit",
      timeoutMs: 30_000,
      intervalMs: 1,
      until: (response) => response.status !== 200,
    });
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error.code, "AuditLogUnavailable");

    const ready = await rawRequest(server, { path: "/readyz" });
    assert.equal(ready.status, 503, ready.text);
    assert.match(ready.json.checks.audit, /^The audit log cannot be written \(ENOSPC/);
    assert.equal(ready.json.checks.store, "ok");
    assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200);
    const metrics = await rawRequest(server, { path: "/metrics" });
    assert.equal(metrics.status, 200, metrics.text);
    const scraped = new Scrape(metrics.text);
    assert.ok(scraped.sum("mhsm_audit_write_failures_total") >= 1);
    assert.ok(
      scraped.sum("mhsm_http_requests_total", { operation: "RoleDefinitions_List", status: "503" }) >= 1,
    );

    await disk.free();
    // The next request's own record is the probe that finds the log writable again.
    await waitFor(() => rawRequest(server, { path: LIST, token }), {
      what: "a request to succeed once space returns",
      timeoutMs: 10_000,
      until: (response) => response.status === 200,
    });
    assert.equal((await rawRequest(server, { path: "/readyz" })).status, 200);
  });
});
