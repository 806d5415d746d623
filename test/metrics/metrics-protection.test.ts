import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import {
  type ServerProcess,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { Scrape } from "./prometheus-text.js";

/** One plain-HTTP request (the separate metrics listener speaks HTTP, as Prometheus scrapes). */
function httpGet(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

function assertRefused(response: RawResponse): void {
  assert.equal(response.status, 401, response.text);
  assert.equal(response.json.error.code, "Unauthorized");
  assert.match(response.json.error.message, /metrics endpoint needs the bearer token/);
  assert.equal(response.headers["www-authenticate"], 'Bearer realm="mhsm-metrics"');
  assert.ok(!response.text.includes("mhsm_http_requests_total"), "no metrics in a refusal");
}

describe("/metrics behind a bearer token", () => {
  const metricsToken = randomBytes(24).toString("base64url");
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess({ env: { MHSM_METRICS_TOKEN: metricsToken } });
  });
  after(() => server?.dispose());

  it("refuses a scrape without the token, with a wrong one, and with a Key Vault token", async () => {
    assertRefused(await rawRequest(server, { path: "/metrics" }));
    const wrong = `${metricsToken.slice(0, -1)}${metricsToken.endsWith("A") ? "B" : "A"}`;
    assertRefused(await rawRequest(server, { path: "/metrics", token: wrong }));
    assertRefused(await rawRequest(server, { path: "/metrics", token: `${metricsToken}x` }));
    assertRefused(await rawRequest(server, { path: "/metrics", headers: { authorization: metricsToken } }));
    assertRefused(await rawRequest(server, { path: "/metrics", token: await adminToken(server) }));
  });

  it("answers the token holder in Prometheus' text format; probes stay open", async () => {
    const response = await rawRequest(server, { path: "/metrics", token: metricsToken });
    assert.equal(response.status, 200);
    const scraped = new Scrape(response.text);
    assert.ok(scraped.sum("mhsm_http_requests_total", { operation: "Metrics_Get", status: "401" }) >= 5);
    const lowerCaseScheme = await rawRequest(server, {
      path: "/metrics",
      headers: { authorization: `bearer ${metricsToken}` },
    });
    assert.equal(lowerCaseScheme.status, 200, "the scheme is case-insensitive (RFC 7235)");
    assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200);
    const post = await rawRequest(server, { method: "POST", path: "/metrics", token: metricsToken });
    assert.equal(post.status, 405);
    assert.equal(post.json.error.code, "MethodNotAllowed");
  });

  it("keeps the token out of the audit log and the server's output; scrapes and probes are not audited", async () => {
    // A request that is audited, so the log exists and has something in it.
    const token = await adminToken(server);
    await rawRequest(server, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      token,
    });
    const log = await waitFor(
      async () => {
        const text = await readFile(join(server.dataDir, "audit.log"), "utf8").catch(() => "");
        return text.includes("RoleDefinitions_List") ? text : undefined;
      },
      { what: "the audit record of the role definitions list", timeoutMs: 5000 },
    );
    assert.ok(!log.includes(metricsToken), "the metrics token is in the audit log");
    assert.ok(!log.includes("Metrics_Get") && !log.includes("Health_"), "a scrape or probe was audited");
    assert.ok(!server.output().includes(metricsToken), "the metrics token is in the server's output");
  });
});

describe("/metrics on a listener of its own", () => {
  const metricsToken = randomBytes(24).toString("base64url");
  let server: ServerProcess;
  let metricsUrl: string;

  before(async () => {
    server = await startServerProcess({
      args: ["--metrics-address", "127.0.0.1:0"],
      env: { MHSM_METRICS_TOKEN: metricsToken },
    });
    // The server prints this line just after "mhsm listening on", which is what the start waits
    // for: the line may not have reached us yet.
    metricsUrl = await waitFor(() => /mhsm metrics: (http:\/\/\S+)\n/.exec(server.output())?.[1], {
      what: "the 'mhsm metrics:' line",
      timeoutMs: 10_000,
    });
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });
  after(() => server?.dispose());

  it("serves /metrics there with the token, refuses it without, and serves nothing else", async () => {
    const scraped = await httpGet(metricsUrl, { authorization: `Bearer ${metricsToken}` });
    assert.equal(scraped.status, 200);
    assert.match(String(scraped.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    assert.ok(new Scrape(scraped.text).types.has("mhsm_http_requests_total"));
    assertRefused(await httpGet(metricsUrl));
    assertRefused(await httpGet(metricsUrl, { authorization: "Bearer wrong" }));
    const other = await httpGet(metricsUrl.replace(/\/metrics$/, "/keys"));
    assert.equal(other.status, 404);
    assert.equal(other.json.error.code, "NotFound");
    const post = await httpGet(metricsUrl, { authorization: `Bearer ${metricsToken}` }, "POST");
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET");
  });

  it("takes /metrics off the HSM's own address", async () => {
    const onHsm = await rawRequest(server, {
      path: "/metrics?api-version=7.6",
      token: await adminToken(server),
    });
    assert.equal(onHsm.status, 404, onHsm.text);
    assert.equal(onHsm.json.error.code, "NotFound");
    assert.equal((await rawRequest(server, { path: "/healthz" })).status, 200);
  });
});

describe("metrics settings", () => {
  it("refuses a short token and a malformed address at start, without echoing the token", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "mhsm-metrics-config-"));
    try {
      const short = await runServeExpectingFailure(["--data-dir", dataDir], {
        MHSM_METRICS_TOKEN: "tiny-secret",
      });
      assert.equal(short.code, 2);
      assert.match(short.stderr, /metrics\.token: must be at least 16 characters/);
      assert.ok(!short.stderr.includes("tiny-secret"));
      const address = await runServeExpectingFailure([
        "--data-dir",
        dataDir,
        "--metrics-address",
        "localhost",
      ]);
      assert.equal(address.code, 2);
      assert.match(address.stderr, /metrics\.address: must be host:port/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
