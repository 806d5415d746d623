import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BUILT_IN_ROLES, builtInRole } from "./builtin-roles.js";
import { actionMatches } from "./data-actions.js";
import type { RoleDefinition } from "./models.js";
import { RbacEngine, permits } from "./rbac-engine.js";
import { parseScope, scopeAndAncestors, scopeCovers } from "./scope.js";

const A = "Microsoft.KeyVault/managedHsm";

describe("actionMatches", () => {
  it("matches exactly, case-insensitively", () => {
    assert.ok(actionMatches(`${A}/keys/read/action`, `${A}/keys/read/action`));
    assert.ok(actionMatches(`${A.toLowerCase()}/KEYS/read/action`, `${A}/keys/read/action`));
    assert.ok(!actionMatches(`${A}/keys/read/action`, `${A}/keys/write/action`));
  });
  it("treats * as any run of characters, anywhere", () => {
    assert.ok(actionMatches("*", `${A}/keys/read/action`));
    assert.ok(actionMatches(`${A}/keys/*`, `${A}/keys/deletedKeys/read/action`));
    assert.ok(actionMatches(`${A}/*/read/action`, `${A}/roleAssignments/read/action`));
    assert.ok(!actionMatches(`${A}/keys/*`, `${A}/roleAssignments/read/action`));
  });
  it("does not treat regex characters in patterns as regex", () => {
    assert.ok(!actionMatches(`${A}/keys/read.action`, `${A}/keys/readXaction`));
  });
});

describe("permits", () => {
  const permission = {
    actions: [],
    notActions: [],
    dataActions: [`${A}/keys/*`],
    notDataActions: [`${A}/keys/delete`, `${A}/keys/deletedKeys/*`],
  };
  it("grants what dataActions match unless a notDataAction of the same permission matches", () => {
    assert.ok(permits(permission, `${A}/keys/sign/action`));
    assert.ok(!permits(permission, `${A}/keys/delete`));
    assert.ok(!permits(permission, `${A}/keys/deletedKeys/recover/action`));
    assert.ok(!permits(permission, `${A}/roleAssignments/read/action`));
  });
});

describe("scopes", () => {
  it("parses every spelling to its canonical form", () => {
    assert.equal(parseScope(""), "/");
    assert.equal(parseScope("///"), "/");
    assert.equal(parseScope("keys"), "/keys");
    assert.equal(parseScope("/keys/"), "/keys");
    assert.equal(parseScope("//keys//my-key-1/"), "/keys/my-key-1");
    assert.throws(() => parseScope("/keys/bad_name"), /not valid/);
    assert.throws(() => parseScope("/secrets"), /not valid/);
    assert.throws(() => parseScope("/keys/a/b"), /not valid/);
  });
  it("lets an assignment cover its scope and those below", () => {
    assert.ok(scopeCovers("/", "/keys/k1"));
    assert.ok(scopeCovers("/keys", "/keys/k1"));
    assert.ok(scopeCovers("/keys/k1", "/keys/k1"));
    assert.ok(!scopeCovers("/keys/k1", "/keys/k10"));
    assert.ok(!scopeCovers("/keys/k1", "/keys"));
    assert.ok(!scopeCovers("/keys", "/"));
    assert.deepEqual(scopeAndAncestors("/keys/k1"), ["/keys/k1", "/keys", "/"]);
  });
});

describe("built-in roles", () => {
  it("are the nine Managed HSM roles with unique GUIDs, lookup case-insensitive", () => {
    assert.equal(BUILT_IN_ROLES.length, 9);
    assert.equal(new Set(BUILT_IN_ROLES.map((r) => r.name)).size, 9);
    assert.equal(builtInRole("A290E904-7015-4BBA-90C8-60543313CDB4")?.roleName, "Managed HSM Administrator");
    assert.deepEqual(builtInRole("6efe6056-5259-49d2-8b3d-d3d73544b20b")?.permissions[0]?.dataActions, [
      `${A}/keys/restore/action`,
      `${A}/restore/start/action`,
      `${A}/restore/status/action`,
    ]);
  });
});

describe("RbacEngine and an assignment whose custom definition is gone", () => {
  const principal = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
  const gone = "8c1e2b9a-3f4d-4e5a-9b6c-7d8e9f0a1b2c";
  it("grants nothing through it; a definition later made under that GUID would be honoured, which is why an assigned definition cannot be deleted", async () => {
    const stored: { definition?: RoleDefinition } = {};
    const engine = new RbacEngine({
      assignmentsOf: async () => [{ scope: "/", roleDefinitionName: gone }],
      customRole: async () => stored.definition,
    });
    assert.equal(
      await engine.can(principal, "Microsoft.KeyVault/managedHsm/keys/read/action", "/keys"),
      false,
    );
    // The engine keys grants by definition GUID, so it cannot tell a new definition from the old
    // one: the invariant that no assignment outlives its definition is the RBAC services' (an
    // assigned definition's delete is refused, and assignment creation reads the definition in
    // its write transaction), not the engine's.
    stored.definition = {
      name: gone,
      roleName: "later",
      description: "",
      roleType: "CustomRole",
      permissions: [
        {
          actions: [],
          notActions: [],
          dataActions: ["Microsoft.KeyVault/managedHsm/keys/read/action"],
          notDataActions: [],
        },
      ],
      assignableScopes: ["/"],
    };
    engine.invalidate();
    assert.equal(
      await engine.can(principal, "Microsoft.KeyVault/managedHsm/keys/read/action", "/keys"),
      true,
    );
  });
});
