import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { claims, createTestSigner, decodePayload, unsignedToken } from "../harness/forged-tokens.js";
import { rawRequest } from "../harness/https-client.js";
import { RESOURCE, adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const LIST = "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4";

describe("bearer token verification", () => {
  let server: ServerProcess;
  let goodToken: string;
  let goodClaims: Record<string, unknown>;
  let serverKid: string;

  before(async () => {
    server = await startServerProcess();
    goodToken = await adminToken(server);
    goodClaims = decodePayload(goodToken);
    const jwks = await rawRequest(server, { path: `/${server.admin.tenantId}/discovery/v2.0/keys` });
    serverKid = jwks.json.keys[0].kid;
  });
  after(() => server?.dispose());

  async function expectRejected(token: string, reason: RegExp) {
    const response = await rawRequest(server, { path: LIST, token });
    assert.equal(response.status, 401, response.text);
    assert.match(
      String(response.headers["www-authenticate"]),
      /^Bearer authorization="https:\/\/[^"]+", resource="https:\/\/managedhsm\.azure\.net"/,
    );
    assert.equal(response.json.error.code, "Unauthorized");
    assert.match(response.json.error.message, reason);
    assert.doesNotMatch(response.text, /at .*\.js:\d+/, "no stack trace");
  }

  it("accepts the identity provider's token", async () => {
    const response = await rawRequest(server, { path: LIST, token: goodToken });
    assert.equal(response.status, 200);
  });

  it("issues Entra-shaped claims: iss, aud, tid, oid, appid, iat, nbf, exp", () => {
    assert.equal(goodClaims.iss, `${server.url}/${server.admin.tenantId}/v2.0`);
    assert.equal(goodClaims.aud, RESOURCE);
    assert.equal(goodClaims.tid, server.admin.tenantId);
    assert.equal(goodClaims.oid, server.admin.objectId);
    assert.equal(goodClaims.appid, server.admin.clientId);
    assert.equal((goodClaims.exp as number) - (goodClaims.iat as number), 3600);
    assert.ok((goodClaims.nbf as number) <= (goodClaims.iat as number));
  });

  it("refuses a token signed by another key under the server's kid (forged)", async () => {
    const forger = await createTestSigner(serverKid);
    await expectRejected(await forger.sign({ ...goodClaims }), /signature is not valid|unknown key/);
  });

  it("refuses alg: none", async () => {
    await expectRejected(
      unsignedToken({ ...goodClaims }),
      /algorithm|could not be verified|not a well-formed/,
    );
  });

  it("refuses a tampered payload", async () => {
    const [header, , signature] = goodToken.split(".");
    const payload = Buffer.from(
      JSON.stringify({ ...goodClaims, oid: "00000000-0000-0000-0000-000000000001" }),
    ).toString("base64url");
    await expectRejected(`${header}.${payload}.${signature}`, /signature is not valid/);
  });

  it("refuses a token from an untrusted issuer", async () => {
    const forger = await createTestSigner();
    await expectRejected(
      await forger.sign(claims({ iss: "https://login.microsoftonline.com/x/v2.0", aud: RESOURCE, oid: "x" })),
      /issuer is not trusted/,
    );
  });

  it("refuses garbage and non-Bearer authorization headers with the challenge", async () => {
    await expectRejected("not-a-jwt", /not a well-formed JWT/);
    const basic = await rawRequest(server, { path: LIST, headers: { authorization: "Basic dXNlcjpwYXNz" } });
    assert.equal(basic.status, 401);
    assert.ok(basic.headers["www-authenticate"]);
  });
});

describe("trusted external OIDC issuer (as Entra ID would be configured)", () => {
  const issuer = "https://login.example.test/11111111-2222-3333-4444-555555555555/v2.0";
  const externalAdmin = "7d1c3f6e-0c1b-4b8e-9a59-3a4b2f1e0d9c";
  const externalUser = "1f4e6c2a-8b3d-4f5e-a6b7-c8d9e0f1a2b3";
  let server: ServerProcess;
  let signer: Awaited<ReturnType<typeof createTestSigner>>;
  let jwksServer: import("node:http").Server;

  before(async () => {
    signer = await createTestSigner("external-1");
    const { createServer } = await import("node:http");
    jwksServer = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [signer.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const port = (jwksServer.address() as import("node:net").AddressInfo).port;
    server = await startServerProcess({
      args: [
        "--oidc-issuer",
        issuer,
        "--oidc-jwks-uri",
        `http://127.0.0.1:${port}/keys`,
        "--administrator",
        externalAdmin,
      ],
    });
  });
  after(async () => {
    await server?.dispose();
    jwksServer?.close();
  });

  const externalToken = (overrides: Record<string, unknown>) =>
    signer.sign(
      claims({ iss: issuer, aud: RESOURCE, tid: "11111111-2222-3333-4444-555555555555", ...overrides }),
    );

  it("lets an --administrator of the external issuer administer the HSM", async () => {
    const token = await externalToken({ oid: externalAdmin });
    const response = await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleAssignments?api-version=7.4",
      token,
    });
    assert.equal(response.status, 200, response.text);
    const admins = response.json.value.filter(
      (a: { properties: { principalId: string } }) => a.properties.principalId === externalAdmin,
    );
    assert.equal(admins.length, 1);
  });

  it("gives an external principal without a role 403, not 401", async () => {
    const response = await rawRequest(server, {
      path: LIST,
      token: await externalToken({ oid: externalUser }),
    });
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, "AccessDenied");
  });

  it("refuses expired, not-yet-valid, wrong-audience and oid-less tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ oid: externalAdmin, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }, /expired/],
      [{ oid: externalAdmin, nbf: now + 3600, exp: now + 7200 }, /not valid yet/],
      [{ oid: externalAdmin, aud: "https://vault.azure.net" }, /audience/],
      [{}, /oid/],
    ];
    for (const [overrides, reason] of cases) {
      const response = await rawRequest(server, { path: LIST, token: await externalToken(overrides) });
      assert.equal(response.status, 401, `${JSON.stringify(overrides)}: ${response.text}`);
      assert.match(response.json.error.message, reason);
      assert.ok(response.headers["www-authenticate"]);
    }
  });

  it("refuses a token under the external issuer signed by an unknown key", async () => {
    const other = await createTestSigner("external-1");
    const token = await other.sign(claims({ iss: issuer, aud: RESOURCE, oid: externalAdmin }));
    const response = await rawRequest(server, { path: LIST, token });
    assert.equal(response.status, 401);
  });
});
