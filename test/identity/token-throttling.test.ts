import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RESOURCE } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";

/**
 * Small limits and a short window, so the test sees throttling and its end. A spent bucket
 * refills one attempt per window / limit (5 s per (client id, address), 3 s per address): time
 * enough for the requests of a busy test machine to be seen throttled before that happens.
 */
const LIMITS = { failuresPerClientAndAddress: 3, failuresPerAddress: 5, windowSeconds: 15 };
const ATTACKER = "127.0.0.1";
const LEGITIMATE = "127.0.0.2";
const CYCLER = "127.0.0.3";

interface TokenResponse {
  status: number;
  retryAfter: string | undefined;
  json: Record<string, unknown>;
  requestId: string;
}

describe("the token endpoint throttles failed client credentials", () => {
  let server: ServerProcess;
  let configFile: string;

  /** A client-credentials token request over a new HTTPS connection from `localAddress`. */
  function tokenRequest(
    clientId: string,
    clientSecret: string,
    localAddress: string,
  ): Promise<TokenResponse> {
    const url = new URL(server.admin.tokenEndpoint);
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${RESOURCE}/.default`,
    }).toString();
    return new Promise((resolve, reject) => {
      const request = httpsRequest(
        {
          host: new URL(server.url).hostname,
          port: server.port,
          path: url.pathname,
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          ca: server.ca,
          localAddress,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: response.headers["retry-after"] as string | undefined,
              json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
              requestId: String(response.headers["x-ms-request-id"]),
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  const wrong = () => `mhsm~wrong-${randomUUID()}`;

  before(async () => {
    configFile = join(tmpdir(), `mhsm-throttle-${process.pid}.json`);
    await writeFile(configFile, JSON.stringify({ tokenThrottle: LIMITS }));
    server = await startServerProcess({ args: ["--config", configFile] });
  });
  after(async () => {
    await server?.dispose();
    await rm(configFile, { force: true });
  });

  it("answers 429 with Retry-After past the limit, even to the right secret from that address, but not to the real client elsewhere; then lets the address try again", async () => {
    const { clientId, clientSecret } = server.admin;
    for (let i = 0; i < LIMITS.failuresPerClientAndAddress; i++) {
      const failed = await tokenRequest(clientId, wrong(), ATTACKER);
      assert.equal(failed.status, 401, `failure ${i + 1} is an ordinary invalid_client`);
      assert.equal(failed.json.error, "invalid_client");
    }
    const throttled = await tokenRequest(clientId, wrong(), ATTACKER);
    assert.equal(throttled.status, 429);
    const retryAfter = Number(throttled.retryAfter);
    const refillSeconds = LIMITS.windowSeconds / LIMITS.failuresPerClientAndAddress;
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= refillSeconds,
      String(throttled.retryAfter),
    );
    // Entra's OAuth error shape.
    assert.equal(throttled.json.error, "temporarily_unavailable");
    assert.match(String(throttled.json.error_description), /^AADSTS90055: /);
    assert.deepEqual(throttled.json.error_codes, [90055]);

    // The right secret from the attacker's address is throttled too (the secret is not even checked)...
    const rightFromAttacker = await tokenRequest(clientId, clientSecret, ATTACKER);
    assert.equal(rightFromAttacker.status, 429);
    // ...but the real client, from its own address, is not locked out.
    const legitimate = await tokenRequest(clientId, clientSecret, LEGITIMATE);
    assert.equal(legitimate.status, 200, JSON.stringify(legitimate.json.error));
    assert.equal(typeof legitimate.json.access_token, "string");

    // Once the window refills, the attacker's address may try again.
    const again = await waitFor(() => tokenRequest(clientId, clientSecret, ATTACKER), {
      what: "the attacker's address to be let in again once its window refills",
      timeoutMs: (refillSeconds + 5) * 1000,
      intervalMs: 100,
      until: (response) => response.status !== 429,
    });
    assert.equal(again.status, 200);
  });

  it("caps failures per address across client ids, and audits throttled attempts without secrets", async () => {
    const secrets: string[] = [];
    const statuses: number[] = [];
    const ids: string[] = [];
    // Cycling client ids (none of them gets a second try) from one address.
    for (let i = 0; i < LIMITS.failuresPerAddress + 2; i++) {
      const secret = wrong();
      secrets.push(secret);
      const response = await tokenRequest(randomUUID(), secret, CYCLER);
      statuses.push(response.status);
      ids.push(response.requestId);
    }
    assert.deepEqual(statuses, [
      ...Array<number>(LIMITS.failuresPerAddress).fill(401),
      ...Array<number>(2).fill(429),
    ]);
    // The real client's right secret from that address waits too; from elsewhere it works.
    assert.equal((await tokenRequest(server.admin.clientId, server.admin.clientSecret, CYCLER)).status, 429);
    assert.equal(
      (await tokenRequest(server.admin.clientId, server.admin.clientSecret, LEGITIMATE)).status,
      200,
    );

    const throttledIds = ids.slice(LIMITS.failuresPerAddress);
    const records = await waitFor(
      async () => {
        const text = await readFile(join(server.dataDir, "audit.log"), "utf8");
        for (const secret of [...secrets, server.admin.clientSecret]) {
          assert.ok(!text.includes(secret), "no client secret in the audit log");
        }
        return text
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((record) => throttledIds.includes(record.requestId as string));
      },
      {
        what: "the throttled attempts' audit records",
        timeoutMs: 5000,
        until: (found) => found.length === throttledIds.length,
      },
    );
    for (const record of records) {
      assert.equal(record.operation, "IdentityProvider_Token");
      assert.equal(record.status, 429);
      assert.equal(record.result, "failure");
      assert.equal(record.errorCode, "temporarily_unavailable");
      assert.equal(typeof (record.caller as { clientId?: unknown }).clientId, "string");
    }
  });
});
