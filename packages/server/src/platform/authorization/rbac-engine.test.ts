import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type GrantSource, RbacEngine } from "./rbac-engine.js";
import { scopeCovers } from "./scope.js";

const SIGN = "Microsoft.KeyVault/managedHsm/keys/sign/action";
/** Managed HSM Crypto User (builtin-roles.ts), which grants keys/sign. */
const CRYPTO_USER_ROLE_NAME = "21dbd100-6940-42c2-9190-5d6cb909625b";
const me = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";

/**
 * An in-memory grant source holding `assignments`, answering as the repository does (the
 * principal's assignments at the asked scopes), and counting the rows it hands out.
 */
function source(assignments: Array<{ principalId: string; scope: string; roleDefinitionName: string }>) {
  const reads = { queries: 0, rows: 0, scopes: [] as string[][] };
  const grants: GrantSource = {
    async assignmentsOf(principalId, scopes) {
      const found = assignments.filter((a) => a.principalId === principalId && scopes.includes(a.scope));
      reads.queries++;
      reads.rows += found.length;
      reads.scopes.push(scopes);
      return found;
    },
    customRole: async () => undefined,
  };
  return { grants, reads };
}

describe("RbacEngine with many assignments", () => {
  // 10 assignments at each of 5,000 key scopes: the caller's own at every key, and nine others'.
  const keys = Array.from({ length: 5000 }, (_, i) => `/keys/key-${i}`);
  const assignments = keys.flatMap((scope) => [
    { principalId: me, scope, roleDefinitionName: CRYPTO_USER_ROLE_NAME },
    ...Array.from({ length: 9 }, (_, j) => ({
      principalId: `other-${j}`,
      scope,
      roleDefinitionName: CRYPTO_USER_ROLE_NAME,
    })),
  ]);

  it("reads only the assignments at the scope and above it, not all of the principal's", async () => {
    const { grants, reads } = source(assignments);
    const engine = new RbacEngine(grants);
    assert.equal(await engine.can(me, SIGN, "/keys/key-42"), true);
    assert.deepEqual(reads.scopes, [["/keys/key-42", "/keys", "/"]]);
    assert.equal(reads.rows, 1, "one row read for a decision among 50,000 assignments");
  });

  it("decides from the cache afterwards, and never grants at a key the principal holds nothing at", async () => {
    const { grants, reads } = source(assignments.filter((a) => a.scope !== "/keys/key-7"));
    const engine = new RbacEngine(grants);
    assert.equal(await engine.can(me, SIGN, "/keys/key-1"), true);
    assert.equal(await engine.can(me, SIGN, "/keys/key-1"), true);
    assert.equal(reads.queries, 1);
    assert.equal(await engine.can(me, SIGN, "/keys/key-7"), false);
    assert.equal(await engine.can(me, SIGN, "/keys"), false, "a key-scoped grant does not reach /keys");
    assert.equal(await engine.can("other-3", SIGN, "/keys/key-1"), true);
    assert.equal(await engine.can("nobody", SIGN, "/keys/key-1"), false);
  });

  it("grants from above: an assignment at /keys or / covers every key", async () => {
    for (const scope of ["/", "/keys"]) {
      const { grants } = source([{ principalId: me, scope, roleDefinitionName: CRYPTO_USER_ROLE_NAME }]);
      const engine = new RbacEngine(grants);
      for (const key of ["/keys/a", "/keys/zz-9"]) {
        assert.equal(await engine.can(me, SIGN, key), scopeCovers(scope, key));
      }
    }
  });

  it("drops every cached decision on invalidate, and after maxAgeMs", async () => {
    let now = 0;
    const { grants, reads } = source(assignments);
    const engine = new RbacEngine(grants, 1000, 1024 * 1024, () => now);
    await engine.can(me, SIGN, "/keys/key-1");
    engine.invalidate();
    await engine.can(me, SIGN, "/keys/key-1");
    assert.equal(reads.queries, 2);
    now = 999;
    await engine.can(me, SIGN, "/keys/key-1");
    assert.equal(reads.queries, 2);
    now = 2000;
    await engine.can(me, SIGN, "/keys/key-1");
    assert.equal(reads.queries, 3);
  });

  it("stays within its memory, reading again what it had to let go", async () => {
    const { grants, reads } = source(assignments);
    const engine = new RbacEngine(grants, 60_000, 2000);
    for (const key of keys.slice(0, 100)) await engine.can(me, SIGN, key);
    const afterFill = reads.queries;
    await engine.can(me, SIGN, keys[0] as string);
    assert.equal(reads.queries, afterFill + 1, "the first decision was evicted");
    await engine.can(me, SIGN, keys[99] as string);
    assert.equal(reads.queries, afterFill + 1, "the latest is still cached");
  });

  it("does not cache a failed read", async () => {
    let fail = true;
    const engine = new RbacEngine({
      async assignmentsOf() {
        if (fail) throw new Error("database away");
        return [{ scope: "/", roleDefinitionName: CRYPTO_USER_ROLE_NAME }];
      },
      customRole: async () => undefined,
    });
    await assert.rejects(engine.can(me, SIGN, "/keys/a"), /database away/);
    fail = false;
    assert.equal(await engine.can(me, SIGN, "/keys/a"), true);
  });
});
