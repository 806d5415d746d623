import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lowerKeyScope } from "./snapshot-repository.js";

describe("role assignments of older backups", () => {
  it("lower-cases key scopes, as migration 0005 did to stored rows", () => {
    const row = { name: "a", scope: "/keys/Payments", role_definition_name: "r", principal_id: "p" };
    assert.deepEqual(lowerKeyScope(row), { ...row, scope: "/keys/payments" });
  });

  it("returns the same row when nothing needs changing, so a restore can tell an old backup", () => {
    for (const scope of ["/", "/keys", "/keys/ledger", "/keys/ledger-2"]) {
      const row = { name: "a", scope, role_definition_name: "r", principal_id: "p" };
      assert.equal(lowerKeyScope(row), row);
    }
  });
});
