import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { Scrape } from "../metrics/prometheus-text.js";
import { assertKeyVaultError, exchange, parseResponse } from "./raw-sockets.js";

const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";

describe("every answer is a Key Vault error, whatever went wrong", () => {
  let server: ServerProcess;
  let token: string;

  before(async () => {
    server = await startServerProcess();
    token = await adminToken(server);
    const granted = await rawRequest(server, {
      method: "PUT",
      path: `/keys/providers/Microsoft.Authorization/roleAssignments/7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d?api-version=7.4`,
      token,
      body: {
        properties: {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${CRYPTO_USER}`,
          principalId: server.admin.objectId,
        },
      },
    });
    assert.equal(granted.status, 201, granted.text);
  });
  after(() => server?.dispose());

  const send = async (head: string, body = "") =>
    parseResponse(await exchange(server, `${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n${body}`));

  it("refuses a form-encoded body on a JSON route with 415, creating nothing", async () => {
    const created = await rawRequest(server, {
      method: "POST",
      path: "/keys/formkey/create?api-version=7.4",
      token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "kty=EC-HSM&crv=P-256",
    });
    assert.equal(created.status, 415, created.text);
    assert.equal(created.json.error.code, "UnsupportedMediaType");
    assert.ok(created.json.error.message.includes(String(created.headers["x-ms-request-id"])));
    const read = await rawRequest(server, { path: "/keys/formkey?api-version=7.4", token });
    assert.equal(read.status, 404, read.text);
    const definition = await rawRequest(server, {
      method: "PUT",
      path: `${DEFINITIONS}/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f?api-version=7.4`,
      token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "properties=x",
    });
    assert.equal(definition.status, 415, definition.text);
    assert.equal(definition.json.error.code, "UnsupportedMediaType");
    // The token endpoint still takes its form (adminToken above), and nothing else does.
  });

  it("answers a path parameter too long for the router with 414", async () => {
    const response = await rawRequest(server, { path: `/keys/${"a".repeat(8000)}?api-version=7.4`, token });
    assertKeyVaultError(
      {
        status: response.status,
        headers: response.headers as Record<string, string>,
        body: response.text,
        json: response.json,
      },
      414,
      "RequestUriTooLong",
    );
  });

  it("answers a malformed percent-escape with 400", async () => {
    for (const path of ["/keys/%zz?api-version=7.4", "/keys/%E0%A4%A?api-version=7.4"]) {
      const response = await rawRequest(server, { path, token });
      assertKeyVaultError(
        {
          status: response.status,
          headers: response.headers as Record<string, string>,
          body: response.text,
          json: response.json,
        },
        400,
        "BadParameter",
      );
    }
  });

  it("answers 3,000 headers beyond the header size limit with 431, not a reset", async () => {
    const headers = Array.from({ length: 3000 }, (_, i) => `x-header-number-${i}: value-${i}`).join("\r\n");
    assertKeyVaultError(
      await send(`GET /keys?api-version=7.4 HTTP/1.1\r\n${headers}`),
      431,
      "RequestHeaderFieldsTooLarge",
    );
  });

  it("answers more headers than node keeps (2,500 within the size limit) with a Key Vault error", async () => {
    const headers = Array.from({ length: 2500 }, () => "a:b").join("\r\n");
    assertKeyVaultError(await send(`GET /keys?api-version=7.4 HTTP/1.1\r\n${headers}`), 401, "Unauthorized");
  });

  it("counts what node answered before any route on /metrics, under the operation ClientError", async () => {
    const count = async () =>
      new Scrape((await rawRequest(server, { path: "/metrics" })).text).sum("mhsm_http_requests_total", {
        operation: "ClientError",
        status: "431",
      });
    const before = await count();
    const headers = Array.from({ length: 3000 }, (_, i) => `x-header-number-${i}: value-${i}`).join("\r\n");
    assertKeyVaultError(
      await send(`GET /keys?api-version=7.4 HTTP/1.1\r\n${headers}`),
      431,
      "RequestHeaderFieldsTooLarge",
    );
    assert.equal(await count(), before + 1);
  });

  it("answers a URL longer than the header limit with 431", async () => {
    assertKeyVaultError(
      await send(`GET /keys/${"b".repeat(20_000)}?api-version=7.4 HTTP/1.1`),
      431,
      "RequestHeaderFieldsTooLarge",
    );
  });

  it("answers an unknown or malformed method with 405", async () => {
    const auth = `authorization: Bearer ${token}`;
    for (const method of ["PROPFIND", "FROB", "G@T"]) {
      assertKeyVaultError(
        await send(`${method} /keys?api-version=7.4 HTTP/1.1\r\n${auth}`),
        405,
        "MethodNotAllowed",
      );
    }
  });

  it("answers CONNECT, an unmet Expect and a missing Host with Key Vault errors", async () => {
    assertKeyVaultError(await send("CONNECT 127.0.0.1:443 HTTP/1.1"), 405, "MethodNotAllowed");
    assertKeyVaultError(
      await send("GET /keys?api-version=7.4 HTTP/1.1\r\nexpect: teapot"),
      417,
      "ExpectationFailed",
    );
    const noHost = parseResponse(
      await exchange(server, "GET /keys?api-version=7.4 HTTP/1.1\r\nconnection: close\r\n\r\n"),
    );
    assertKeyVaultError(noHost, 401, "Unauthorized");
  });

  it("answers a bad or conflicting Content-Length with 400", async () => {
    for (const lengths of [
      "content-length: abc",
      "content-length: 5\r\ncontent-length: 7",
      "content-length: -1",
    ]) {
      const response = await send(
        `PUT ${DEFINITIONS}/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f?api-version=7.4 HTTP/1.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\n${lengths}`,
        "{}",
      );
      assertKeyVaultError(response, 400);
    }
  });

  it("answers malformed request lines and chunking with 400", async () => {
    assertKeyVaultError(await send("GET /keys HTTP/9.9"), 400);
    assertKeyVaultError(
      await send(
        `PUT ${DEFINITIONS}/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f?api-version=7.4 HTTP/1.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked`,
        "zz\r\n{}\r\n0\r\n\r\n",
      ),
      400,
    );
  });

  it("answers a body beyond the body limit with 413, with or without a Content-Length", async () => {
    const big = `{"a":"${"x".repeat(1_100_000)}"}`;
    const path = `${DEFINITIONS}/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f?api-version=7.4`;
    const auth = `authorization: Bearer ${token}\r\ncontent-type: application/json`;
    assertKeyVaultError(
      await send(`PUT ${path} HTTP/1.1\r\n${auth}\r\ncontent-length: ${big.length}`, big),
      413,
      "RequestTooLarge",
    );
    const chunked = `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    assertKeyVaultError(
      await send(`PUT ${path} HTTP/1.1\r\n${auth}\r\ntransfer-encoding: chunked`, chunked),
      413,
      "RequestTooLarge",
    );
  });
});
