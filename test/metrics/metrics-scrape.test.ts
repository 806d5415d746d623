import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import { unsignedToken, claims } from "../harness/forged-tokens.js";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { SUPPORTED_API_VERSIONS } from "../../packages/server/src/platform/http/api-version.js";
import { Scrape } from "./prometheus-text.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * /metrics against what a test did: known operations through the official JS SDK and raw
 * HTTPS on a real server, then the Prometheus text is parsed and each count compared with the
 * operations performed (as the difference between a scrape before and one after, so set-up
 * requests do not blur the numbers).
 */
describe("/metrics counts the operations a client performed", () => {
  let fx: KeysFixture;
  let rsa: KeyVaultKey;
  let ec: KeyVaultKey;
  const KEY_NAME = `metrics-private-name-${randomUUID().slice(0, 8)}`;

  const scrape = async () => {
    const response = await rawRequest(fx.server, { path: "/metrics" });
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const scraped = new Scrape(response.text);
    const nan = scraped.samples.filter(
      (sample) => sample.name.startsWith("mhsm_") && Number.isNaN(sample.value),
    );
    assert.deepEqual(nan, [], "no mhsm sample is NaN");
    return scraped;
  };

  before(async () => {
    fx = await startKeysServer();
    rsa = await fx.keyClient.createRsaKey(KEY_NAME, { keySize: 2048 });
    ec = await fx.keyClient.createEcKey(`${KEY_NAME}-ec`, { curve: "P-256" });
  });
  after(() => fx?.dispose());

  it("counts requests by operation, status and api-version, crypto operations by algorithm and key type, with latencies", async () => {
    const before = await scrape();
    const rsaClient = fx.cryptoClient(rsa);
    const ecClient = fx.cryptoClient(ec);
    for (let i = 0; i < 3; i++) await rsaClient.sign("PS256", sha256(`rsa ${i}`));
    for (let i = 0; i < 2; i++) await ecClient.sign("ES256", sha256(`ec ${i}`));
    // A failing request: an algorithm that does not fit the key (400), which signs nothing.
    const refused = await fx.request("POST", `/keys/${KEY_NAME}/sign`, {
      alg: "ES256",
      value: sha256("x").toString("base64url"),
    });
    assert.equal(refused.status, 400, refused.text);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      after.sum(name, labels) - before.sum(name, labels);

    assert.equal(
      delta("mhsm_crypto_operations_total", { operation: "sign", algorithm: "PS256", key_type: "RSA-HSM" }),
      3,
    );
    assert.equal(
      delta("mhsm_crypto_operations_total", { operation: "sign", algorithm: "ES256", key_type: "EC-HSM" }),
      2,
    );
    assert.equal(delta("mhsm_crypto_operations_total", {}), 5, "the refused sign is no crypto operation");

    assert.equal(delta("mhsm_http_requests_total", { operation: "Sign", status: "200" }), 5);
    assert.equal(
      delta("mhsm_http_requests_total", { operation: "Sign", status: "400", api_version: "7.5" }),
      1,
    );
    // Each new CryptographyClient's first request carries no token: the 401 challenge.
    assert.equal(delta("mhsm_http_requests_total", { operation: "Sign", status: "401" }), 2);
    assert.equal(delta("mhsm_http_requests_total", { operation: "Sign" }), 8);
    assert.equal(delta("mhsm_http_request_duration_seconds_count", { operation: "Sign" }), 8);
    assert.ok(delta("mhsm_http_request_duration_seconds_sum", { operation: "Sign" }) > 0);
    assert.equal(after.types.get("mhsm_http_request_duration_seconds"), "histogram");
    // The SDK's own version is one the server supports, and only supported ones become labels.
    for (const version of after.labelValues("mhsm_http_requests_total", "api_version")) {
      assert.ok(
        ["none", "unsupported", ...SUPPORTED_API_VERSIONS].includes(version),
        `api_version label ${version}`,
      );
    }
  });

  it("never puts key names, principal ids, tokens or a caller's free text into labels", async () => {
    const odd = await fx.request("GET", `/keys/${KEY_NAME}?api-version=evil-label-value`);
    assert.equal(odd.status, 400);
    const notFound = await rawRequest(fx.server, {
      path: `/no-such-path-${KEY_NAME}?api-version=7.5`,
      token: fx.token,
    });
    assert.equal(notFound.status, 404);
    const text = (await scrape()).text;
    assert.ok(!text.includes(KEY_NAME), "a key name is in /metrics");
    assert.ok(!text.includes(fx.server.admin.objectId), "a principal id is in /metrics");
    assert.ok(!text.includes("evil-label-value"), "a caller's api-version is in /metrics");
    assert.ok(!text.includes(fx.token.slice(0, 40)), "a token is in /metrics");
    const scraped = new Scrape(text);
    assert.ok(
      scraped.sum("mhsm_http_requests_total", { operation: "GetKey", api_version: "unsupported" }) >= 1,
    );
    assert.ok(scraped.sum("mhsm_http_requests_total", { operation: "NotFound", status: "404" }) >= 1);
  });

  it("counts token checks by cache hit and miss, and forged tokens as misses", async () => {
    const reader = await createPrincipal(fx.server, "metrics-reader");
    const before = await scrape();
    const list = (token: string) =>
      rawRequest(fx.server, {
        path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
        token,
      });
    // Three requests with one new token: one verification, then two reuses.
    for (let i = 0; i < 3; i++) assert.notEqual((await list(reader.token)).status, 401);
    // Two forged tokens: refused, and refusals are never cached.
    const forged = unsignedToken(claims({ oid: randomUUID() }));
    for (let i = 0; i < 2; i++) assert.equal((await list(forged)).status, 401);
    const after = await scrape();
    const delta = (cache: string) =>
      after.sum("mhsm_token_checks_total", { cache }) - before.sum("mhsm_token_checks_total", { cache });
    assert.equal(delta("miss"), 3);
    assert.equal(delta("hit"), 2);
    // Each request that got past its token reached one RBAC decision; the first of a new
    // principal is a miss (its grants are read from the store).
    const rbac = (cache: string) =>
      after.sum("mhsm_rbac_lookups_total", { cache }) - before.sum("mhsm_rbac_lookups_total", { cache });
    assert.equal(rbac("hit") + rbac("miss"), 3);
    assert.ok(rbac("miss") >= 1);
    assert.equal(
      after.sum("mhsm_http_requests_total", { operation: "RoleDefinitions_List", status: "401" }) -
        before.sum("mhsm_http_requests_total", { operation: "RoleDefinitions_List", status: "401" }),
      2,
    );
  });

  it("counts jobs by kind and outcome, with their durations", async () => {
    const root = join(fx.server.dataDir, "backups");
    await mkdir(root, { recursive: true });
    const before = await scrape();
    const accepted = await fx.request("POST", "/backup", { storageResourceUri: pathToFileURL(root).href });
    assert.equal(accepted.status, 202, accepted.text);
    assert.equal((await waitForJob(fx.server, fx.token, accepted)).json.status, "Succeeded");
    // A pre-check of a folder that holds no backup: the job runs and fails.
    const precheck = await fx.request("PUT", "/prerestore", {
      sasTokenParameters: { storageResourceUri: pathToFileURL(root).href, token: "" },
      folderToRestore: "not-a-backup",
    });
    assert.equal(precheck.status, 202, precheck.text);
    assert.equal((await waitForJob(fx.server, fx.token, precheck)).json.status, "Failed");
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      after.sum(name, labels) - before.sum(name, labels);
    assert.equal(delta("mhsm_jobs_total", { kind: "backup", outcome: "Succeeded" }), 1);
    assert.equal(delta("mhsm_jobs_total", { kind: "prerestore", outcome: "Failed" }), 1);
    assert.equal(delta("mhsm_jobs_total", {}), 2);
    assert.equal(delta("mhsm_job_duration_seconds_count", { kind: "backup", outcome: "Succeeded" }), 1);
    assert.ok(delta("mhsm_job_duration_seconds_sum", { kind: "backup" }) > 0);
  });

  it("includes the process' own metrics and an audit write failure counter at zero", async () => {
    const scraped = await scrape();
    assert.ok(scraped.sum("process_cpu_user_seconds_total") > 0);
    assert.ok(scraped.sum("nodejs_heap_size_used_bytes") > 0);
    assert.equal(scraped.types.get("mhsm_audit_write_failures_total"), "counter");
    assert.equal(scraped.sum("mhsm_audit_write_failures_total"), 0);
    assert.equal(scraped.types.get("mhsm_change_feed_reconnects_total"), "counter");
  });
});
