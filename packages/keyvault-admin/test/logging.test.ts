import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServerProcess } from "../../../test/harness/server-process.js";
import { type BackupFixture, startBackupFixture } from "./support/backup-fixture.js";
import { runNode } from "./support/child-node.js";

const SCRIPT = join(import.meta.dirname, "scripts", "logged-calls.ts");

/** Runs the calls with AZURE_LOG_LEVEL=info and returns everything the process printed. */
async function loggedRun(server: ServerProcess, extraEnv: Record<string, string> = {}): Promise<string> {
  const run = await runNode(SCRIPT, {
    AZURE_LOG_LEVEL: "info",
    NODE_EXTRA_CA_CERTS: server.admin.caFile,
    MHSM_VAULT_URL: server.url,
    AZURE_TENANT_ID: server.admin.tenantId,
    AZURE_CLIENT_ID: server.admin.clientId,
    AZURE_CLIENT_SECRET: server.admin.clientSecret,
    ...extraEnv,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /done/);
  return run.stdout + run.stderr;
}

function assertNoSecrets(log: string, secrets: string[]): void {
  for (const secret of secrets)
    assert.ok(!log.includes(secret), `the log shows a secret: ${secret.slice(0, 6)}…`);
  assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}/, "the log shows a JWT (a bearer token)");
  assert.doesNotMatch(log, /"authorization": "(?!REDACTED")/i, "the log shows an Authorization header");
}

describe("AZURE_LOG_LEVEL=info", () => {
  let fixture: BackupFixture;

  before(async () => {
    fixture = await startBackupFixture();
  });
  after(() => fixture?.dispose());

  it("logs each request and response of the library, with no credential in the log", async () => {
    const log = await loggedRun(fixture.server);
    assert.match(
      log,
      /azure:keyvault-admin:info Request: \{\s+"url": "[^"]*\/providers\/Microsoft\.Authorization\/roleDefinitions/,
    );
    assert.match(log, /azure:keyvault-admin:info Request: \{\s+"url": "[^"]*\/settings\?/);
    assert.match(
      log,
      /azure:keyvault-admin:info Response status code: 401/,
      "the challenge round trip is logged",
    );
    assert.match(log, /azure:keyvault-admin:info Response status code: 200/);
    assert.match(log, /"authorization": "REDACTED"/);
    assertNoSecrets(log, [fixture.server.admin.clientSecret]);
  });

  it("logs a backup with a SAS token without the token", async () => {
    const container = await fixture.createContainer();
    const log = await loggedRun(fixture.server, {
      BLOB_STORAGE_URI: container.uri,
      BLOB_SAS_TOKEN: container.sasToken,
    });
    assert.match(log, /azure:keyvault-admin:info Request: \{\s+"url": "[^"]*\/backup\?/);
    assert.match(log, /azure:keyvault-admin:info Response status code: 202/);
    const signature = new URLSearchParams(container.sasToken).get("sig") as string;
    assertNoSecrets(log, [fixture.server.admin.clientSecret, signature, container.sasToken]);
  });
});
