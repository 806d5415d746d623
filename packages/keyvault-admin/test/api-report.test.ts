import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as library from "@mhsm/keyvault-admin";
import { REPORT_PATH, generateApiReport } from "../scripts/api-report.js";
import { REPO_ROOT } from "../../../test/harness/server-process.js";

/** Every export of @azure/keyvault-admin 4.7.2 (its api.md, without the EKM preview client). */
const AZURE_KEYVAULT_ADMIN_4_7_EXPORTS = [
  "AccessControlClientOptions",
  "BooleanKeyVaultSetting",
  "CreateRoleAssignmentOptions",
  "DeleteRoleAssignmentOptions",
  "DeleteRoleDefinitionOptions",
  "GetRoleAssignmentOptions",
  "GetRoleDefinitionOptions",
  "GetSettingOptions",
  "isBooleanSetting",
  "isRestError",
  "KeyVaultAccessControlClient",
  "KeyVaultAdminPollOperationState",
  "KeyVaultBackupClient",
  "KeyVaultBackupClientOptions",
  "KeyVaultBackupOperationState",
  "KeyVaultBackupPollerOptions",
  "KeyVaultBackupResult",
  "KeyVaultBeginBackupOptions",
  "KeyVaultBeginPreBackupOptions",
  "KeyVaultBeginPreRestoreOptions",
  "KeyVaultBeginRestoreOptions",
  "KeyVaultBeginSelectiveKeyRestoreOptions",
  "KeyVaultDataAction",
  "KeyVaultPermission",
  "KeyVaultRestoreOperationState",
  "KeyVaultRestoreResult",
  "KeyVaultRoleAssignment",
  "KeyVaultRoleAssignmentProperties",
  "KeyVaultRoleDefinition",
  "KeyVaultRoleScope",
  "KeyVaultSelectiveKeyRestoreOperationState",
  "KeyVaultSelectiveKeyRestoreResult",
  "KeyVaultSetting",
  "KeyVaultSettingsClient",
  "KnownKeyVaultDataAction",
  "KnownKeyVaultRoleScope",
  "LATEST_API_VERSION",
  "ListRoleAssignmentsOptions",
  "ListRoleAssignmentsPageSettings",
  "ListRoleDefinitionsOptions",
  "ListRoleDefinitionsPageSettings",
  "ListSettingsOptions",
  "ListSettingsResponse",
  "OperationStatus",
  "PollerLike",
  "RestError",
  "SDK_VERSION",
  "SetRoleDefinitionOptions",
  "SettingsClientOptions",
  "SUPPORTED_API_VERSIONS",
  "UpdateSettingOptions",
];

describe("the public API of @mhsm/keyvault-admin", () => {
  let report: string;
  before(async () => {
    report = await generateApiReport();
  });

  it("matches review/keyvault-admin.api.md (after a deliberate change: scripts/api-report.ts --write)", () => {
    assert.equal(report, readFileSync(REPORT_PATH, "utf8"));
  });

  it("exports exactly the names of @azure/keyvault-admin 4.7", () => {
    const exported = [
      ...report.matchAll(
        /^export (?:interface|class|type|enum|function|const) (\w+)|^export \{ (\w+) \};?/gm,
      ),
    ]
      .map((match) => match[1] ?? match[2])
      .sort();
    assert.deepEqual(exported, [...AZURE_KEYVAULT_ADMIN_4_7_EXPORTS].sort());
  });

  it("has the runtime values of @azure/keyvault-admin 4.7", () => {
    assert.equal(library.LATEST_API_VERSION, "2025-07-01");
    const packageJson = JSON.parse(
      readFileSync(join(REPO_ROOT, "packages/keyvault-admin/package.json"), "utf8"),
    );
    assert.equal(library.SDK_VERSION, packageJson.version, "SDK_VERSION follows the package's version");
    assert.equal(library.KnownKeyVaultRoleScope.Global, "/");
    assert.equal(library.KnownKeyVaultRoleScope.Keys, "/keys");
    assert.equal(Object.keys(library.KnownKeyVaultDataAction).length, 34);
    assert.equal(
      library.KnownKeyVaultDataAction.BackupHsmKeys,
      "Microsoft.KeyVault/managedHsm/keys/backup/action",
    );
    assert.equal(typeof library.isRestError, "function");
    assert.ok(library.isRestError(new library.RestError("x", { statusCode: 404 })));
  });
});
