import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRoleDefinitionId } from "./role-assignment-service.js";

describe("parseRoleDefinitionId", () => {
  const guid = "21DBD100-6940-42C2-9190-5D6CB909625B";
  it("accepts every spelling of a definition id, and a bare GUID", () => {
    for (const id of [
      `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      `/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      `/keys/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      guid,
    ]) {
      assert.equal(parseRoleDefinitionId(id), guid.toLowerCase(), id);
    }
  });
  it("refuses anything else", () => {
    for (const id of [
      "",
      "roleDefinitions/",
      "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/not-a-guid",
      `${guid}x`,
    ]) {
      assert.throws(() => parseRoleDefinitionId(id), /not valid/, id);
    }
  });
});
