import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { KeyClient } from "@azure/keyvault-keys";
import { rawRequest } from "../harness/https-client.js";
import { type TestPrincipal, createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { ROLE, assignRole, createCustomRole } from "../keys/support/roles.js";

const READ = "Microsoft.KeyVault/managedHsm/keys/read/action";

/**
 * What GetKeyAttestation refuses, each with the Key Vault error a client expects and no
 * attestation in the answer: a caller without keys/read (at the HSM or at this key), a key or
 * version that is not there, a deleted key, a bad name, and an api-version before 7.6.
 */
describe("key attestation refusals", () => {
  let fx: KeysFixture;
  const who: Record<string, TestPrincipal> = {};
  let version = "";

  before(async () => {
    fx = await startKeysServer();
    version = (await fx.keyClient.createRsaKey("refused", { keySize: 2048 })).properties.version as string;
    await fx.keyClient.createEcKey("elsewhere", { curve: "P-256" });
    who.signOnly = await createPrincipal(fx.server, "sign-only");
    await assignRole(
      fx.server,
      who.signOnly.objectId,
      await createCustomRole(fx.server, "sign only", ["Microsoft.KeyVault/managedHsm/keys/sign/action"]),
    );
    who.otherKeyOnly = await createPrincipal(fx.server, "other-key-only");
    await assignRole(fx.server, who.otherKeyOnly.objectId, ROLE.cryptoUser, "/keys/elsewhere");
    who.auditor = await createPrincipal(fx.server, "auditor");
    await assignRole(fx.server, who.auditor.objectId, ROLE.cryptoAuditor, "/");
  });
  after(() => fx?.dispose());

  const get = (path: string, apiVersion = "7.6", token = fx.token) =>
    rawRequest(fx.server, { path: `${path}?api-version=${apiVersion}`, token });

  function expectError(
    response: Awaited<ReturnType<typeof get>>,
    status: number,
    code: string,
    message?: RegExp,
  ): void {
    assert.equal(response.status, status, response.text);
    assert.equal(response.json?.error?.code, code, response.text);
    if (message) assert.match(response.json.error.message, message);
    assert.ok(!response.text.includes('attestation":'), "no attestation in a refusal");
  }

  it("a principal without keys/read gets AccessDenied, through the SDK and on the wire", async () => {
    const client = new KeyClient(
      fx.server.url,
      fx.credentialFor(who.signOnly as TestPrincipal),
      fx.clientOptions,
    );
    await assert.rejects(client.getKeyAttestation("refused"), (error: unknown) => {
      assert.ok(error instanceof RestError);
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, "AccessDenied");
      return true;
    });
    expectError(
      await get("/keys/refused/attestation", "7.6", who.signOnly?.token),
      403,
      "AccessDenied",
      new RegExp(`${READ} on /keys/refused`),
    );
    expectError(
      await get(`/keys/refused/${version}/attestation`, "7.6", who.signOnly?.token),
      403,
      "AccessDenied",
    );
  });

  it("a role at another key's scope does not reach this key; at its own key it does", async () => {
    const token = who.otherKeyOnly?.token;
    expectError(await get("/keys/refused/attestation", "7.6", token), 403, "AccessDenied");
    const own = await get("/keys/elsewhere/attestation", "7.6", token);
    assert.equal(own.status, 200, own.text);
    assert.ok(own.json.attributes.attestation.privateKeyAttestation);
  });

  it("Crypto Auditor (keys/read, no key use) may read attestations, as the spec's keys/get says", async () => {
    const response = await get("/keys/refused/attestation", "7.6", who.auditor?.token);
    assert.equal(response.status, 200, response.text);
  });

  it("a missing key, a missing version and a deleted key are KeyNotFound", async () => {
    expectError(await get("/keys/never-made/attestation"), 404, "KeyNotFound", /never-made/);
    expectError(
      await get("/keys/refused/00000000000000000000000000000000/attestation"),
      404,
      "KeyNotFound",
      /refused\/00000000000000000000000000000000/,
    );
    await fx.keyClient.createOctKey("deleted", { keySize: 128 });
    await (await fx.keyClient.beginDeleteKey("deleted")).pollUntilDone();
    expectError(await get("/keys/deleted/attestation"), 404, "KeyNotFound");
    await assert.rejects(fx.keyClient.getKeyAttestation("deleted"), (error: unknown) => {
      assert.ok(error instanceof RestError);
      assert.equal(error.statusCode, 404);
      return true;
    });
  });

  it("a malformed key name is BadParameter", async () => {
    expectError(await get("/keys/bad_name!/attestation"), 400, "BadParameter", /key name/);
  });

  it("api-versions before 7.6 do not have the operation: NotFound, saying which versions do", async () => {
    for (const old of ["7.2", "7.3", "7.4", "7.4-preview.1", "7.5", "7.5-preview.1"]) {
      expectError(
        await get("/keys/refused/attestation", old),
        404,
        "NotFound",
        /GetKeyAttestation needs api-version 7\.6/,
      );
      expectError(await get(`/keys/refused/${version}/attestation`, old), 404, "NotFound");
    }
    for (const current of ["7.6-preview.2", "7.6", "2025-07-01", "2026-04-01"]) {
      const response = await get("/keys/refused/attestation", current);
      assert.equal(response.status, 200, `${current}: ${response.text}`);
      assert.equal(response.json.attributes.attestation.version, "mhsm-jws-1.0");
    }
    expectError(await get("/keys/refused/attestation", "7.7"), 400, "BadParameter", /not recognized/);
  });

  it("only GET: other methods are 405", async () => {
    const response = await rawRequest(fx.server, {
      method: "POST",
      path: "/keys/refused/attestation?api-version=7.6",
      token: fx.token,
      body: {},
    });
    assert.equal(response.status, 405, response.text);
  });
});
