import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { upgradeRows } from "./snapshot-repository.js";

describe("rows of older backups", () => {
  it("lower-cases role assignments' key scopes and keeps the oldest of grants that then coincide", () => {
    const rows = [
      { name: "b", scope: "/keys/payments", role_definition_name: "r", principal_id: "p", created_at: 2 },
      { name: "a", scope: "/keys/Payments", role_definition_name: "r", principal_id: "p", created_at: 1 },
      { name: "c", scope: "/keys/Ledger", role_definition_name: "r", principal_id: "p", created_at: 3 },
      { name: "d", scope: "/", role_definition_name: "r", principal_id: "p", created_at: 4 },
      { name: "e", scope: "/keys/payments", role_definition_name: "other", principal_id: "p", created_at: 5 },
    ];
    assert.deepEqual(
      upgradeRows("role_assignments", rows).map((row) => [row.name, row.scope]),
      [
        ["a", "/keys/payments"],
        ["c", "/keys/ledger"],
        ["d", "/"],
        ["e", "/keys/payments"],
      ],
    );
  });

  it("leaves other tables as they are", () => {
    const keys = [{ name: "MixedCase", current_version: "v" }];
    assert.equal(upgradeRows("keys", keys), keys);
  });
});
