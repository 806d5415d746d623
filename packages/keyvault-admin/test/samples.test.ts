import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../../../test/harness/server-process.js";
import { adminClients } from "./support/admin-clients.js";
import { type BackupFixture, type Container, startBackupFixture } from "./support/backup-fixture.js";
import { runNode } from "./support/child-node.js";

const SAMPLES = join(REPO_ROOT, "packages/keyvault-admin/samples");
const definitionId = (name: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${name}`;

/** Each sample, and what it must print. */
const EXPECTED_OUTPUT: Record<string, RegExp> = {
  "accessControlHelloWorld.ts": /Created role definition: [\s\S]*Read role assignment: \S+ \S+[\s\S]*Deleted/,
  "backupRestoreHelloWorld.ts": /Backup folder: http:\/\/\S+\/mhsm-[\s\S]*Restore finished at: \d{4}-/,
  "backupSelectiveKeyRestore.ts":
    /Deleted and purged key: sample-key-\d+\nRestored key: https:\/\/\S+\/keys\/sample-key-/,
  "updateSettings.ts":
    /AllowKeyManagementOperationsThroughARM = false \(boolean\)\nAllowKeyManagementOperationsThroughARM is now true/,
};

describe("the samples, run against mhsm and Azurite", () => {
  let fixture: BackupFixture;
  let container: Container;
  let principal: string;

  before(async () => {
    fixture = await startBackupFixture();
    container = await fixture.createContainer();
    principal = randomUUID();
    // backupSelectiveKeyRestore works with keys: the Administrator role has no key data actions.
    const { accessControl } = adminClients(fixture.server);
    for (const role of ["21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"]) {
      await accessControl.createRoleAssignment(
        "/keys",
        randomUUID(),
        definitionId(role),
        fixture.server.admin.objectId,
      );
    }
  });
  after(() => fixture?.dispose());

  it("every sample is run here", () => {
    const samples = readdirSync(SAMPLES).filter(
      (file) => file.endsWith(".ts") && file !== "hsm-connection.ts",
    );
    assert.deepEqual(samples.sort(), Object.keys(EXPECTED_OUTPUT).sort());
  });

  for (const [sample, expected] of Object.entries(EXPECTED_OUTPUT)) {
    it(`runs ${sample}`, async () => {
      const { server } = fixture;
      const run = await runNode(join(SAMPLES, sample), {
        AZURE_MANAGEDHSM_URI: server.url,
        AZURE_AUTHORITY_HOST: server.url,
        AZURE_TENANT_ID: server.admin.tenantId,
        AZURE_CLIENT_ID: server.admin.clientId,
        AZURE_CLIENT_SECRET: server.admin.clientSecret,
        NODE_EXTRA_CA_CERTS: server.admin.caFile,
        CLIENT_OBJECT_ID: principal,
        BLOB_STORAGE_URI: container.uri,
        BLOB_STORAGE_SAS_TOKEN: container.sasToken,
      });
      assert.equal(run.code, 0, `${sample} failed:\n${run.stderr}\n${run.stdout}`);
      assert.match(run.stdout, expected);
    });
  }

  it("left what the samples changed as they said", async () => {
    const { accessControl, settings } = adminClients(fixture.server);
    for await (const assignment of accessControl.listRoleAssignments("/")) {
      assert.notEqual(
        assignment.properties.principalId,
        principal,
        "accessControlHelloWorld deleted its assignment",
      );
    }
    assert.equal((await settings.getSetting("AllowKeyManagementOperationsThroughARM")).value, true);
  });
});
