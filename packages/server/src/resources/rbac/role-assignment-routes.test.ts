import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAssignmentFilter } from "./role-assignment-routes.js";

describe("parseAssignmentFilter", () => {
  it("reads atScope() and principalId eq, alone or joined by and", () => {
    assert.deepEqual(parseAssignmentFilter(undefined), {});
    assert.deepEqual(parseAssignmentFilter("atScope()"), { atScope: true });
    assert.deepEqual(parseAssignmentFilter("principalId eq 'abc'"), { principalId: "abc" });
    assert.deepEqual(parseAssignmentFilter("atScope() and principalId eq 'abc'"), {
      atScope: true,
      principalId: "abc",
    });
    assert.throws(() => parseAssignmentFilter("roleName eq 'x'"), /not supported/);
    assert.throws(() => parseAssignmentFilter(["a", "b"]), /more than once/);
  });
});
