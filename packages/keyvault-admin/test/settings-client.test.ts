import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type KeyVaultSettingsClient, isBooleanSetting, isRestError } from "@mhsm/keyvault-admin";
import { type ServerProcess, startServerProcess } from "../../../test/harness/server-process.js";
import { adminClients } from "./support/admin-clients.js";

const ARM_SETTING = "AllowKeyManagementOperationsThroughARM";

describe("KeyVaultSettingsClient against mhsm", () => {
  let server: ServerProcess;
  let client: KeyVaultSettingsClient;

  before(async () => {
    server = await startServerProcess();
    client = adminClients(server).settings;
  });
  after(() => server?.dispose());

  it("lists the settings, each boolean one with a boolean value", async () => {
    const { settings } = await client.getSettings();
    const arm = settings.find((setting) => setting.name === ARM_SETTING);
    assert.ok(arm, `${ARM_SETTING} is listed`);
    assert.equal(arm.kind, "boolean");
    assert.equal(arm.value, false);
    assert.ok(isBooleanSetting(arm));
  });

  it("updates a boolean setting from a boolean value and reads it back", async () => {
    const updated = await client.updateSetting({ name: ARM_SETTING, value: true });
    assert.deepEqual(updated, { kind: "boolean", name: ARM_SETTING, value: true });
    const read = await client.getSetting(ARM_SETTING);
    assert.ok(isBooleanSetting(read));
    assert.equal(read.value, true);

    await client.updateSetting({ name: ARM_SETTING, value: false });
    assert.equal((await client.getSetting(ARM_SETTING)).value, false);
  });

  it("isBooleanSetting tells boolean settings from others", () => {
    assert.equal(isBooleanSetting({ name: "x", kind: "boolean", value: true }), true);
    assert.equal(isBooleanSetting({ name: "x", kind: "boolean", value: "true" }), false);
    assert.equal(isBooleanSetting({ name: "x", kind: "string", value: true }), false);
  });

  it("rejects an unknown setting with a RestError", async () => {
    const error = await client.getSetting("NoSuchSetting").then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    assert.ok(isRestError(error));
    assert.ok(error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500);
  });
});
