import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";
import { ROLE, assignRole } from "./support/roles.js";

const DIGEST = randomBytes(32).toString("base64url");
const KEY_BYTES = randomBytes(32).toString("base64url");

/**
 * Every keys operation checks its own data action at /keys/{name} (lists and restore at /keys,
 * rng at /), so built-in roles mean what they say and key-scoped assignments reach one key.
 */
describe("keys: RBAC data actions per operation, with several principals", () => {
  let fx: KeysFixture;
  const who: Record<string, TestPrincipal> = {};

  before(async () => {
    fx = await startKeysServer();
    for (const [name, body] of [
      ["rsa", { kty: "RSA" }],
      ["aes", { kty: "oct", key_size: 256 }],
      ["scoped", { kty: "EC" }],
      ["other", { kty: "EC" }],
    ] as const) {
      assert.equal((await fx.request("POST", `/keys/${name}/create`, body)).status, 200);
    }
    const grants: Array<[string, string, string]> = [
      ["encryptionUser", ROLE.serviceEncryptionUser, "/"],
      ["auditor", ROLE.cryptoAuditor, "/"],
      ["cryptoUser", ROLE.cryptoUser, "/"],
      ["officer", ROLE.cryptoOfficer, "/"],
      ["keyScoped", ROLE.cryptoUser, "/keys/scoped"],
      ["backupUser", ROLE.backupUser, "/"],
      ["restoreUser", ROLE.restoreUser, "/"],
      ["nobody", "", ""],
    ];
    for (const [name, role, scope] of grants) {
      who[name] = await createPrincipal(fx.server, name);
      if (role) await assignRole(fx.server, who[name].objectId, role, scope);
    }
  });
  after(() => fx?.dispose());

  const call = (principal: string, method: string, path: string, body?: unknown) =>
    fx.request(method, path, body, who[principal]?.token);

  async function denied(
    principal: string,
    method: string,
    path: string,
    action: string,
    scope: string,
    body?: unknown,
  ) {
    const response = await call(principal, method, path, body);
    assert.equal(response.status, 403, `${principal} ${method} ${path}: ${response.text}`);
    assert.equal(response.json.error.code, "AccessDenied");
    assert.ok(
      response.json.error.message.includes(
        `Not authorized to access Microsoft.KeyVault/managedHsm/${action} on ${scope}`,
      ),
      response.json.error.message,
    );
  }
  async function allowed(principal: string, method: string, path: string, body?: unknown) {
    const response = await call(principal, method, path, body);
    assert.ok(response.status < 300, `${principal} ${method} ${path}: ${response.status} ${response.text}`);
    return response;
  }

  it("Crypto Service Encryption User can read, wrap and unwrap, but not sign, encrypt or create", async () => {
    await allowed("encryptionUser", "GET", "/keys/aes");
    const wrapped = await allowed("encryptionUser", "POST", "/keys/aes/wrapkey", {
      alg: "A256KW",
      value: KEY_BYTES,
    });
    const unwrapped = await allowed("encryptionUser", "POST", "/keys/aes/unwrapkey", {
      alg: "A256KW",
      value: wrapped.json.value,
    });
    assert.equal(unwrapped.json.value, KEY_BYTES);
    await denied("encryptionUser", "POST", "/keys/rsa/sign", "keys/sign/action", "/keys/rsa", {
      alg: "PS256",
      value: DIGEST,
    });
    await denied("encryptionUser", "POST", "/keys/aes/encrypt", "keys/encrypt/action", "/keys/aes", {
      alg: "A256GCM",
      value: DIGEST,
    });
    await denied("encryptionUser", "POST", "/keys/new/create", "keys/create", "/keys/new", { kty: "EC" });
    await denied("encryptionUser", "DELETE", "/keys/aes", "keys/delete", "/keys/aes");
  });

  it("the same through the JS SDK: wrapKey works, sign is a 403 RestError", async () => {
    const credential = fx.credentialFor(who.encryptionUser as TestPrincipal);
    const key = await fx.keyClient.getKey("rsa");
    const client = fx.cryptoClient(key.id ?? "", credential);
    const wrapped = await client.wrapKey("RSA-OAEP-256", randomBytes(32));
    assert.equal(wrapped.result.length, 256);
    await assert.rejects(
      client.sign("PS256", randomBytes(32)),
      (error: unknown) => error instanceof RestError && error.statusCode === 403,
    );
  });

  it("Crypto Auditor can read keys and deleted keys but not use, change or delete them", async () => {
    await allowed("auditor", "GET", "/keys/rsa");
    await allowed("auditor", "GET", "/keys");
    await allowed("auditor", "GET", "/keys/rsa/versions");
    await allowed("auditor", "GET", "/keys/rsa/rotationpolicy");
    await allowed("auditor", "GET", "/deletedkeys");
    await denied("auditor", "POST", "/keys/rsa/sign", "keys/sign/action", "/keys/rsa", {
      alg: "PS256",
      value: DIGEST,
    });
    await denied("auditor", "POST", "/keys/rsa/verify", "keys/verify/action", "/keys/rsa", {
      alg: "PS256",
      digest: DIGEST,
      value: DIGEST,
    });
    await denied("auditor", "POST", "/keys/aes/wrapkey", "keys/wrap/action", "/keys/aes", {
      alg: "A256KW",
      value: KEY_BYTES,
    });
    await denied("auditor", "POST", "/keys/rsa/decrypt", "keys/decrypt/action", "/keys/rsa", {
      alg: "RSA-OAEP",
      value: DIGEST,
    });
    await denied("auditor", "PATCH", "/keys/rsa", "keys/write/action", "/keys/rsa", {
      attributes: { enabled: false },
    });
    await denied("auditor", "POST", "/keys/rsa/rotate", "keys/rotate/action", "/keys/rsa");
    await denied("auditor", "PUT", "/keys/rsa/rotationpolicy", "keys/rotate/action", "/keys/rsa", {});
    await denied("auditor", "POST", "/keys/rsa/backup", "keys/backup/action", "/keys/rsa");
    await denied("auditor", "PUT", "/keys/imported", "keys/import/action", "/keys/imported", {
      key: { kty: "oct", k: KEY_BYTES },
    });
    await denied("auditor", "POST", "/rng", "rng/action", "/", { count: 8 });
    assert.equal((await fx.request("GET", "/keys/rsa")).json.attributes.enabled, true, "nothing changed");
  });

  it("a role assigned at /keys/{name} reaches that key only", async () => {
    await allowed("keyScoped", "GET", "/keys/scoped");
    await allowed("keyScoped", "POST", "/keys/scoped/sign", { alg: "ES256", value: DIGEST });
    await allowed("keyScoped", "POST", "/keys/scoped/create", { kty: "EC" });
    await denied("keyScoped", "POST", "/keys/other/sign", "keys/sign/action", "/keys/other", {
      alg: "ES256",
      value: DIGEST,
    });
    await denied("keyScoped", "GET", "/keys/other", "keys/read/action", "/keys/other");
    await denied("keyScoped", "GET", "/keys", "keys/read/action", "/keys");
    await denied("keyScoped", "POST", "/keys/fresh/create", "keys/create", "/keys/fresh", { kty: "EC" });
    await denied("keyScoped", "POST", "/rng", "rng/action", "/", { count: 8 });
  });

  it("deleting is Crypto User's; recover, purge and reading deleted keys need Crypto Officer's actions", async () => {
    await allowed("cryptoUser", "POST", "/keys/temp/create", { kty: "oct", key_size: 128 });
    await denied("officer", "POST", "/keys/temp/wrapkey", "keys/wrap/action", "/keys/temp", {
      alg: "A128KW",
      value: KEY_BYTES,
    });
    await allowed("cryptoUser", "DELETE", "/keys/temp");
    await denied("cryptoUser", "GET", "/deletedkeys/temp", "keys/deletedKeys/read/action", "/keys/temp");
    await denied(
      "cryptoUser",
      "POST",
      "/deletedkeys/temp/recover",
      "keys/deletedKeys/recover/action",
      "/keys/temp",
    );
    await denied("cryptoUser", "DELETE", "/deletedkeys/temp", "keys/deletedKeys/delete", "/keys/temp");
    await denied("cryptoUser", "GET", "/deletedkeys", "keys/deletedKeys/read/action", "/keys");
    await allowed("officer", "GET", "/deletedkeys/temp");
    await allowed("officer", "POST", "/deletedkeys/temp/recover");
    await allowed("cryptoUser", "DELETE", "/keys/temp");
    await allowed("officer", "DELETE", "/deletedkeys/temp");
    assert.equal((await fx.request("GET", "/deletedkeys/temp")).status, 404);
    await allowed("cryptoUser", "POST", "/rng", { count: 16 });
  });

  it("backup needs keys/backup/action and restore keys/restore/action", async () => {
    const backup = await allowed("backupUser", "POST", "/keys/other/backup");
    await denied("backupUser", "POST", "/keys/restore", "keys/restore/action", "/keys", {
      value: backup.json.value,
    });
    await denied("restoreUser", "POST", "/keys/other/backup", "keys/backup/action", "/keys/other");
    await allowed("cryptoUser", "DELETE", "/keys/other");
    await allowed("officer", "DELETE", "/deletedkeys/other");
    await allowed("restoreUser", "POST", "/keys/restore", { value: backup.json.value });
  });

  it("no role: 403 everywhere; no token: the 401 challenge before the body is read", async () => {
    await denied("nobody", "GET", "/keys/rsa", "keys/read/action", "/keys/rsa");
    await denied("nobody", "GET", "/keys", "keys/read/action", "/keys");
    await denied("nobody", "POST", "/keys/rsa/sign", "keys/sign/action", "/keys/rsa", "{ not even json");
    const anonymous = await rawRequest(fx.server, {
      method: "POST",
      path: "/keys/rsa/sign?api-version=7.5",
      body: "{}",
    });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers["www-authenticate"]), /^Bearer authorization=/);
  });

  it("a role assignment takes effect at once, and so does its removal", async () => {
    const late = await createPrincipal(fx.server, "late");
    await denied("nobody", "GET", "/keys/rsa", "keys/read/action", "/keys/rsa");
    const path = (name: string) =>
      `/keys/rsa/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=7.5`;
    const name = "7d6d2a34-90a2-4b26-8f39-2a7b7f7f0001";
    const put = await rawRequest(fx.server, {
      method: "PUT",
      path: path(name),
      token: await adminToken(fx.server),
      body: {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${ROLE.cryptoUser}`,
          principalId: late.objectId,
        },
      },
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(
      (await fx.request("POST", "/keys/rsa/sign", { alg: "PS256", value: DIGEST }, late.token)).status,
      200,
    );
    const removed = await rawRequest(fx.server, {
      method: "DELETE",
      path: path(name),
      token: await adminToken(fx.server),
    });
    assert.equal(removed.status, 200);
    assert.equal(
      (await fx.request("POST", "/keys/rsa/sign", { alg: "PS256", value: DIGEST }, late.token)).status,
      403,
    );
  });
});
