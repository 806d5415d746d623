import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  type KeyVaultAccessControlClient,
  type KeyVaultRoleDefinition,
  KnownKeyVaultDataAction,
  KnownKeyVaultRoleScope,
  RestError,
  isRestError,
} from "@mhsm/keyvault-admin";
import { createPrincipal } from "../../../test/harness/principals.js";
import { type ServerProcess, startServerProcess } from "../../../test/harness/server-process.js";
import { adminClients } from "./support/admin-clients.js";

const ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const definitionId = (name: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${name}`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function rejection(promise: Promise<unknown>): Promise<RestError> {
  const error = await promise.then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e,
  );
  assert.ok(isRestError(error), `expected a RestError, got ${String(error)}`);
  assert.ok(error instanceof RestError);
  return error;
}

describe("KeyVaultAccessControlClient against mhsm", () => {
  let server: ServerProcess;
  let client: KeyVaultAccessControlClient;

  before(async () => {
    // Two items a page, so that every list spans several pages.
    server = await startServerProcess({ args: ["--list-page-size", "2"] });
    client = adminClients(server).accessControl;
  });
  after(() => server?.dispose());

  it("lists role definitions across pages, and byPage resumes from a page's continuation token", async () => {
    const all = await collect(client.listRoleDefinitions(KnownKeyVaultRoleScope.Global));
    assert.equal(all.filter((d) => d.roleType === "AKVBuiltInRole").length, 9);
    const administrator = all.find((d) => d.name === ADMINISTRATOR) as KeyVaultRoleDefinition;
    assert.equal(administrator.roleName, "Managed HSM Administrator");
    assert.equal(administrator.id, definitionId(ADMINISTRATOR));
    assert.equal(administrator.kind, "Microsoft.Authorization/roleDefinitions");
    assert.ok(administrator.permissions[0]?.dataActions?.includes(KnownKeyVaultDataAction.StartHsmBackup));

    const pages = await collect(client.listRoleDefinitions("/").byPage());
    assert.ok(pages.length >= 5, `9 definitions in pages of 2 make at least 5 pages, got ${pages.length}`);
    assert.deepEqual(
      pages.flat().map((d) => d.name),
      all.map((d) => d.name),
    );
    const tokens = pages.map((page) => (page as { continuationToken?: string }).continuationToken);
    assert.equal(tokens.at(-1), undefined, "the last page has no continuation token");
    assert.ok(tokens.slice(0, -1).every((token) => typeof token === "string"));

    const resumed = await collect(client.listRoleDefinitions("/").byPage({ continuationToken: tokens[0] }));
    assert.deepEqual(
      resumed.flat().map((d) => d.name),
      all.slice(pages[0]?.length).map((d) => d.name),
    );
  });

  it("creates, reads, updates and deletes a custom role definition; a second delete succeeds", async () => {
    const name = randomUUID();
    const created = await client.setRoleDefinition(KnownKeyVaultRoleScope.Global, {
      roleDefinitionName: name,
      roleName: "key reader",
      description: "reads keys",
      permissions: [{ dataActions: [KnownKeyVaultDataAction.ReadHsmKey] }],
    });
    assert.equal(created.name, name);
    assert.equal(created.id, definitionId(name));
    assert.equal(created.roleType, "CustomRole");
    assert.deepEqual(created.assignableScopes, ["/"]);
    assert.deepEqual(created.permissions[0]?.dataActions, [KnownKeyVaultDataAction.ReadHsmKey]);

    const updated = await client.setRoleDefinition("/", {
      roleDefinitionName: name,
      roleName: "key reader",
      description: "updated",
      permissions: [{ notDataActions: [KnownKeyVaultDataAction.CreateHsmKey] }],
    });
    assert.equal(updated.description, "updated");
    const read = await client.getRoleDefinition("/", name);
    assert.deepEqual(read, updated);

    await client.deleteRoleDefinition("/", name);
    await client.deleteRoleDefinition("/", name);
    const notFound = await rejection(client.getRoleDefinition("/", name));
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.code, "RoleDefinitionNotFound");
  });

  it("setRoleDefinition without a name creates one named by a new GUID", async () => {
    const created = await client.setRoleDefinition("/", { roleName: "nameless" });
    assert.match(created.name, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal((await client.getRoleDefinition("/", created.name)).roleName, "nameless");
    await client.deleteRoleDefinition("/", created.name);
  });

  it("creates, gets, lists and deletes role assignments at /keys and at one key; a second delete succeeds", async () => {
    const principal = randomUUID();
    const atKeys = await client.createRoleAssignment(
      KnownKeyVaultRoleScope.Keys,
      randomUUID(),
      definitionId(CRYPTO_USER),
      principal,
    );
    assert.equal(atKeys.properties.scope, "/keys");
    assert.equal(atKeys.properties.principalId, principal);
    assert.equal(atKeys.properties.roleDefinitionId, definitionId(CRYPTO_USER));
    assert.equal(atKeys.kind, "Microsoft.Authorization/roleAssignments");
    assert.deepEqual(await client.getRoleAssignment("/keys", atKeys.name), atKeys);

    const atKey = await client.createRoleAssignment(
      "/keys/my-key",
      randomUUID(),
      definitionId(CRYPTO_USER),
      principal,
    );
    assert.equal(atKey.properties.scope, "/keys/my-key");

    const listed = await collect(client.listRoleAssignments("/keys/my-key"));
    assert.ok(listed.some((a) => a.name === atKey.name));
    const everything = await collect(client.listRoleAssignments("/"));
    assert.ok(everything.some((a) => a.name === atKeys.name));
    assert.ok(everything.some((a) => a.properties.principalId === server.admin.objectId));

    for (const assignment of [atKeys, atKey]) {
      const scope = assignment.properties.scope as string;
      await client.deleteRoleAssignment(scope, assignment.name);
      await client.deleteRoleAssignment(scope, assignment.name);
      assert.equal((await rejection(client.getRoleAssignment(scope, assignment.name))).statusCode, 404);
    }
  });

  it("lists role assignments page by page", async () => {
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(
        await client.createRoleAssignment("/keys", randomUUID(), definitionId(CRYPTO_USER), randomUUID()),
      );
    }
    const pages = await collect(client.listRoleAssignments("/keys").byPage());
    assert.ok(pages.length >= 2);
    assert.ok(pages.every((page) => page.length <= 2));
    const names = pages.flat().map((a) => a.name);
    for (const assignment of created) assert.ok(names.includes(assignment.name));
    for (const assignment of created) await client.deleteRoleAssignment("/keys", assignment.name);
  });

  it("rejects with a RestError carrying the service's status, code and message", async () => {
    const badDefinition = await rejection(
      client.createRoleAssignment("/", randomUUID(), definitionId(randomUUID()), randomUUID()),
    );
    assert.equal(badDefinition.statusCode, 400);
    assert.match(badDefinition.message, /does not exist/);

    const name = randomUUID();
    const principal = randomUUID();
    await client.createRoleAssignment("/keys", name, definitionId(CRYPTO_USER), principal);
    const duplicate = await rejection(
      client.createRoleAssignment("/keys", name, definitionId(CRYPTO_USER), principal),
    );
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.code, "RoleAssignmentExists");
    await client.deleteRoleAssignment("/keys", name);

    const builtIn = await rejection(client.deleteRoleDefinition("/", ADMINISTRATOR));
    assert.equal(builtIn.statusCode, 400);
  });

  it("a principal without a role is refused with 403", async () => {
    const stranger = await createPrincipal(server, "stranger");
    const strangerClient = adminClients(server, {
      ...stranger,
      tenantId: server.admin.tenantId,
    }).accessControl;
    const forbidden = await rejection(collect(strangerClient.listRoleDefinitions("/")));
    assert.equal(forbidden.statusCode, 403);
  });

  it("sends the chosen serviceVersion as api-version on every request, next pages included", async () => {
    const urls: string[] = [];
    const recorder: PipelinePolicy = {
      name: "recordUrls",
      sendRequest(request, next) {
        urls.push(request.url);
        return next(request);
      },
    };
    const versioned = adminClients(server, server.admin, {
      serviceVersion: "7.2",
      additionalPolicies: [{ policy: recorder, position: "perRetry" }],
    }).accessControl;
    const pages = await collect(versioned.listRoleDefinitions("/").byPage());
    assert.ok(pages.length > 1);
    const serviceUrls = urls.filter((url) => new URL(url).pathname.includes("/providers/"));
    // The first request goes once without a token (the challenge), then with it.
    assert.ok(serviceUrls.length >= pages.length + 1);
    for (const url of serviceUrls) assert.equal(new URL(url).searchParams.get("api-version"), "7.2");
  });

  it("honours abortSignal and calls onResponse with the raw response", async () => {
    const aborted = await client
      .getRoleDefinition("/", ADMINISTRATOR, { abortSignal: AbortSignal.abort() })
      .then(
        () => assert.fail("expected an abort"),
        (e: unknown) => e as Error,
      );
    assert.equal(aborted.name, "AbortError");

    const statuses: number[] = [];
    await client.getRoleDefinition("/", ADMINISTRATOR, { onResponse: (raw) => statuses.push(raw.status) });
    assert.deepEqual(statuses, [200]);
  });
});
