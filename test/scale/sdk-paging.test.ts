import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken, createPrincipal } from "../harness/principals.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";

/**
 * The lists, read a page at a time from the database, through the official SDKs, with keys and
 * role assignments created and deleted between pages: every item that existed throughout is
 * listed exactly once, in order, and maxresults, nextLinks and $filter keep working.
 */

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function assertOrderedOnce(listed: string[], mustInclude: string[], what: string): void {
  for (let i = 1; i < listed.length; i++) {
    assert.ok(
      byCodePoint(listed[i - 1] as string, listed[i] as string) < 0,
      `${what}: ${listed[i - 1]} then ${listed[i]}`,
    );
  }
  for (const name of mustInclude) assert.ok(listed.includes(name), `${what}: ${name} was skipped`);
}

describe("keys lists through @azure/keyvault-keys, with keys created and deleted between pages", () => {
  let fx: KeysFixture;
  // Names whose order differs between code-point order and a locale's ("a-c" and "ab"), and
  // between spellings ("Zed" before "a1").
  const stable = ["a-c", "ab", "a1", "A-2", "Zed", "zed-2", "b", "b-", "c--d", "cd", "0-x", "09"].flatMap(
    (n) => [n, `${n}-k`],
  );
  let churned = 0;
  const churn = async () => {
    churned++;
    const created = await fx.request("POST", `/keys/churn-${churned}/create`, {
      kty: "EC-HSM",
      crv: "P-256",
    });
    assert.equal(created.status, 200, created.text);
    if (churned > 1) assert.equal((await fx.request("DELETE", `/keys/churn-${churned - 1}`)).status, 200);
  };

  before(async () => {
    fx = await startKeysServer();
    for (const name of stable) {
      const created = await fx.request("POST", `/keys/${name}/create`, { kty: "EC-HSM", crv: "P-256" });
      assert.equal(created.status, 200, created.text);
    }
  });
  after(() => fx?.dispose());

  it("listPropertiesOfKeys: pages of maxPageSize in name order, none repeated or skipped", async () => {
    const pages: string[][] = [];
    for await (const page of fx.keyClient.listPropertiesOfKeys().byPage({ maxPageSize: 4 })) {
      pages.push(page.map((key) => key.name));
      await churn();
    }
    assert.ok(pages.length >= stable.length / 4);
    assert.ok(pages.every((page) => page.length <= 4));
    assertOrderedOnce(pages.flat(), stable, "keys");
  });

  it("listDeletedKeys: the deleted keys page by page while others are deleted", async () => {
    const gone = Array.from({ length: 9 }, (_, i) => `gone-${i}`);
    for (const name of gone) {
      await fx.request("POST", `/keys/${name}/create`, { kty: "EC-HSM", crv: "P-256" });
      assert.equal((await fx.request("DELETE", `/keys/${name}`)).status, 200);
    }
    const listed: string[] = [];
    for await (const page of fx.keyClient.listDeletedKeys().byPage({ maxPageSize: 2 })) {
      assert.ok(page.length <= 2);
      listed.push(...page.map((key) => key.name));
      await churn();
    }
    assertOrderedOnce(listed, gone, "deleted keys");
    assert.ok(!listed.some((name) => stable.includes(name)), "no live key among the deleted");
  });

  it("listPropertiesOfKeyVersions: every version once while the key is rotated between pages", async () => {
    const versions: string[] = [];
    for (let i = 0; i < 7; i++) {
      const created = await fx.request("POST", "/keys/Rotor/create", { kty: "EC-HSM", crv: "P-256" });
      versions.push((created.json.key.kid as string).split("/").pop() as string);
    }
    const listed: string[] = [];
    for await (const page of fx.keyClient.listPropertiesOfKeyVersions("rotor").byPage({ maxPageSize: 2 })) {
      assert.ok(page.length <= 2);
      listed.push(...page.map((version) => version.version as string));
      assert.equal((await fx.request("POST", "/keys/rotor/rotate")).status, 200);
    }
    assert.equal(new Set(listed).size, listed.length, "no version repeated");
    for (const version of versions) assert.ok(listed.includes(version), `version ${version} skipped`);
  });

  it("refuses a malformed $skiptoken or maxresults with 400 BadParameter, and lists the same afterwards", async () => {
    const before = (await fx.request("GET", "/keys?maxresults=25")).json.value.map(
      (k: { kid: string }) => k.kid,
    );
    const cases = [
      "/keys?$skiptoken=not!base64",
      `/keys?$skiptoken=${"A".repeat(401)}`,
      "/keys?maxresults=26",
      "/keys?maxresults=0",
      "/deletedkeys?maxresults=x",
      // A valid base64url token that is no version's place in the list.
      `/keys/rotor/versions?$skiptoken=${Buffer.from("not-a-version-key").toString("base64url")}`,
    ];
    for (const path of cases) {
      const response = await fx.request("GET", path);
      assert.equal(response.status, 400, `${path}: ${response.text}`);
      assert.equal(response.json.error.code, "BadParameter", path);
      assert.match(response.json.error.message, /skiptoken|maxresults/, path);
    }
    const afterwards = (await fx.request("GET", "/keys?maxresults=25")).json.value.map(
      (k: { kid: string }) => k.kid,
    );
    assert.deepEqual(afterwards, before);
  });

  it("answers a $skiptoken past the last key with an empty last page", async () => {
    const past = Buffer.from("~~~~").toString("base64url");
    const response = await fx.request("GET", `/keys?$skiptoken=${past}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { value: [], nextLink: null });
  });
});

describe("role assignment and principal lists: filters in the query, the Python SDK following nextLinks", () => {
  let server: ServerProcess;
  let token: string;
  const V = "api-version=7.5";
  const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
  const CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
  const AUDITOR = "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3";
  const model: Array<{ name: string; scope: string; principalId: string }> = [];
  const principals: string[] = [];

  const call = async (method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const assign = async (scope: string, role: string, principalId: string) => {
    const name = randomUUID();
    const prefix = scope === "/" ? "" : scope;
    const response = await call(
      "PUT",
      `${prefix}/providers/Microsoft.Authorization/roleAssignments/${name}?${V}`,
      {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${role}`,
          principalId,
        },
      },
    );
    assert.equal(response.status, 201, response.text);
    return { name, scope, principalId };
  };
  /** Follows nextLinks from `path`, doing `between` after each page; the names in order. */
  const listAll = async (path: string, between: () => Promise<void> = async () => undefined) => {
    const names: string[] = [];
    let next: string | null = path;
    while (next) {
      const response = await call("GET", next);
      assert.equal(response.status, 200, response.text);
      assert.ok(response.json.value.length <= 3, "the page size is --list-page-size");
      names.push(
        ...response.json.value.map(
          (item: { name?: string; objectId?: string }) => item.name ?? item.objectId,
        ),
      );
      const link: string | null = response.json.nextLink;
      if (link) {
        const url = new URL(link);
        assert.equal(url.origin, server.url);
        next = `${url.pathname}${url.search}`;
      } else next = null;
      await between();
    }
    return names;
  };

  before(async () => {
    const config = join(tmpdir(), `mhsm-scale-limits-${process.pid}.json`);
    await writeFile(
      config,
      JSON.stringify({ limits: { roleAssignmentsAtHsmScope: 200, roleAssignmentsPerKeyScope: 50 } }),
    );
    server = await startServerProcess({ args: ["--config", config, "--list-page-size", "3"] });
    token = await adminToken(server);
    for (let i = 0; i < 3; i++) principals.push((await createPrincipal(server, `lister-${i}`)).objectId);
    for (const scope of ["/", "/keys", "/keys/alpha", "/keys/beta"]) {
      for (const role of [CRYPTO_USER, CRYPTO_OFFICER, AUDITOR]) {
        for (const principalId of principals.slice(0, 2)) model.push(await assign(scope, role, principalId));
      }
    }
    const listed = await listAll(`/providers/Microsoft.Authorization/roleAssignments?${V}`);
    // The administrator's own assignments, made at start, are in the model too.
    for (const name of listed.filter((n) => !model.some((a) => a.name === n))) {
      const got = await call("GET", `/providers/Microsoft.Authorization/roleAssignments/${name}?${V}`);
      if (got.status === 200) model.push({ name, scope: "/", principalId: got.json.properties.principalId });
    }
  });
  after(() => server?.dispose());

  const expected = (scope: string, filter: { atScope?: boolean; principalId?: string }) => {
    const above = scope === "/" ? ["/"] : scope === "/keys" ? ["/keys", "/"] : [scope, "/keys", "/"];
    return model
      .filter((a) => (filter.atScope || scope.startsWith("/keys/") ? above.includes(a.scope) : true))
      .filter((a) => filter.principalId === undefined || a.principalId === filter.principalId)
      .map((a) => a.name)
      .sort(byCodePoint);
  };

  it("lists each scope with each filter, page by page, while a third principal's assignments come and go", async () => {
    const churner = principals[2] as string;
    let churn: { name: string; scope: string } | undefined;
    const between = async () => {
      if (churn) {
        const prefix = churn.scope === "/" ? "" : churn.scope;
        const removed = await call(
          "DELETE",
          `${prefix}/providers/Microsoft.Authorization/roleAssignments/${churn.name}?${V}`,
        );
        assert.equal(removed.status, 200, removed.text);
        churn = undefined;
      } else churn = await assign("/keys/alpha", CRYPTO_USER, churner);
    };
    for (const scope of ["/", "/keys", "/keys/alpha", "/keys/beta", "/keys/gamma"]) {
      const prefix = scope === "/" ? "" : scope;
      for (const filter of [
        {},
        { atScope: true },
        { principalId: principals[0] as string },
        { atScope: true, principalId: principals[1] as string },
      ]) {
        const clauses = [
          ...(filter.atScope ? ["atScope()"] : []),
          ...("principalId" in filter
            ? [`principalId eq '${(filter.principalId as string).toUpperCase()}'`]
            : []),
        ];
        const query = clauses.length > 0 ? `&$filter=${encodeURIComponent(clauses.join(" and "))}` : "";
        const listed = await listAll(
          `${prefix}/providers/Microsoft.Authorization/roleAssignments?${V}${query}`,
          between,
        );
        const wanted = expected(scope, filter);
        const what = `${scope} ${JSON.stringify(filter)}`;
        assertOrderedOnce(listed, wanted, what);
        // Only the churning principal's assignments may show beyond the model.
        const extra = listed.filter((name) => !wanted.includes(name));
        for (const name of extra)
          assert.ok(!model.some((a) => a.name === name), `${what}: ${name} does not match`);
        if ("principalId" in filter) assert.deepEqual(listed, wanted, what);
      }
    }
    if (churn) await between();
  });

  it("the Python SDK's list_role_assignments follows the nextLinks to the same lists", async () => {
    const scopes = ["/", "/keys", "/keys/alpha"];
    const listed = await runPython(
      join(import.meta.dirname, "python/list_role_assignments.py"),
      server,
      server.admin,
      {
        MHSM_SCOPES: scopes.join(","),
      },
    );
    for (const scope of scopes) assert.deepEqual(listed[scope], expected(scope, {}), scope);
  });

  it("an unsupported $filter is a 400 and lists nothing", async () => {
    const response = await call(
      "GET",
      `/providers/Microsoft.Authorization/roleAssignments?${V}&$filter=${encodeURIComponent("scope eq '/'")}`,
    );
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, "BadParameter");
    assert.equal(response.json.value, undefined);
  });

  it("/mhsm/principals pages by creation, each principal once while others are made", async () => {
    let made = 0;
    const listed = await listAll("/mhsm/principals", async () => {
      made++;
      await createPrincipal(server, `late-${made}`);
    });
    assert.equal(new Set(listed).size, listed.length, "no principal repeated");
    for (const objectId of principals) assert.ok(listed.includes(objectId), `${objectId} skipped`);
    assert.ok(listed.includes(server.admin.objectId));
    const bad = await call("GET", `/mhsm/principals?$skiptoken=${Buffer.from("12-x").toString("base64url")}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, "BadParameter");
  });
});
