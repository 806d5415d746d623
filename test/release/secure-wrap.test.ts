import assert from "node:assert/strict";
import { constants, createPrivateKey, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { openRelease } from "./support/independent-unwrap.js";

const API = "api-version=2026-04-01";

describe("secure wrap and unwrap (2026-04-01 securewrapkey / secureunwrapkey) against the built-in test authority", () => {
  let fx: KeysFixture;
  let authority: string;
  let sdkToken: string;
  const post = (path: string, body: unknown) =>
    rawRequest(fx.server, { method: "POST", path: `${path}?${API}`, token: fx.token, body });
  const policy = (claim: string, value: unknown) =>
    new TextEncoder().encode(
      JSON.stringify({ version: "1.0.0", anyOf: [{ authority, allOf: [{ claim, equals: value }] }] }),
    );

  before(async () => {
    fx = await startKeysServer({ args: ["--test-attestation-authority"] });
    authority = `${fx.server.url}/test-attestation/`;
    sdkToken = (await rawRequest(fx.server, { method: "GET", path: "/test-attestation/generate-test-token" }))
      .json.token;
  });
  after(() => fx?.dispose());

  it("wraps a new AES-256 key under an RSA key (RSA-OAEP-256) and unwraps it for a token that satisfies the key's policy; the released RSA key decrypts the same bytes", async () => {
    await fx.keyClient.createRsaKey("kek-rsa", {
      exportable: true,
      releasePolicy: { encodedPolicy: policy("sdk-test", true) },
    });
    const wrapped = await post("/keys/kek-rsa/securewrapkey", { alg: "RSA-OAEP-256" });
    assert.equal(wrapped.status, 200, wrapped.text);
    assert.equal(wrapped.json.alg, "RSA-OAEP-256");
    assert.match(wrapped.json.kid, new RegExp(`^${fx.server.url}/keys/kek-rsa/[0-9a-f]{32}$`));
    assert.equal(Buffer.from(wrapped.json.value, "base64url").length, 256);
    const unwrapped = await post("/keys/kek-rsa/secureunwrapkey", {
      alg: "RSA-OAEP-256",
      value: wrapped.json.value,
      target: sdkToken,
    });
    assert.equal(unwrapped.status, 200, unwrapped.text);
    const dataKey = Buffer.from(unwrapped.json.value, "base64url");
    assert.equal(dataKey.length, 32);
    // Independently: release the KEK to this test's runtime key and decrypt the wrapped value.
    const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const minted = await rawRequest(fx.server, {
      method: "POST",
      path: "/test-attestation/tokens",
      body: {
        claims: { "sdk-test": true },
        runtimeKey: runtime.publicKey.export({ format: "pem", type: "spki" }),
      },
    });
    const released = openRelease(
      (await fx.keyClient.releaseKey("kek-rsa", minted.json.token)).value,
      runtime.privateKey,
    );
    const kek = createPrivateKey({ key: released.material, format: "der", type: "pkcs8" });
    const local = privateDecrypt(
      { key: kek, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      Buffer.from(wrapped.json.value, "base64url"),
    );
    assert.deepEqual(local, dataKey);
  });

  it("does the same with an AES key (A256KW), each wrap a new key", async () => {
    await fx.keyClient.createOctKey("kek-oct", {
      keySize: 256,
      exportable: true,
      releasePolicy: { encodedPolicy: policy("sdk-test", true) },
    });
    const first = await post("/keys/kek-oct/securewrapkey", { alg: "A256KW" });
    const second = await post("/keys/kek-oct/securewrapkey", { alg: "A256KW" });
    assert.notEqual(first.json.value, second.json.value);
    const unwrapped = await post("/keys/kek-oct/secureunwrapkey", {
      alg: "A256KW",
      value: first.json.value,
      target: sdkToken,
    });
    assert.equal(Buffer.from(unwrapped.json.value, "base64url").length, 32);
  });

  it("refuses a token that does not satisfy the policy, a key without a policy, a bad token and an unknown algorithm, unwrapping nothing", async () => {
    await fx.keyClient.createRsaKey("kek-strict", {
      exportable: true,
      releasePolicy: { encodedPolicy: policy("sdk-test", false) },
    });
    await fx.keyClient.createRsaKey("kek-plain");
    const strict = await post("/keys/kek-strict/securewrapkey", { alg: "RSA-OAEP-256" });
    const plain = await post("/keys/kek-plain/securewrapkey", { alg: "RSA-OAEP-256" });
    const cases: Array<[string, unknown, number, RegExp]> = [
      [
        "/keys/kek-strict/secureunwrapkey",
        { alg: "RSA-OAEP-256", value: strict.json.value, target: sdkToken },
        403,
        /does not satisfy/,
      ],
      [
        "/keys/kek-plain/secureunwrapkey",
        { alg: "RSA-OAEP-256", value: plain.json.value, target: sdkToken },
        400,
        /has no release policy/,
      ],
      [
        "/keys/kek-strict/secureunwrapkey",
        { alg: "RSA-OAEP-256", value: strict.json.value, target: `${sdkToken}x` },
        400,
        /signature does not verify/,
      ],
      [
        "/keys/kek-strict/secureunwrapkey",
        { alg: "RSA1_5", value: strict.json.value, target: sdkToken },
        400,
        /not supported for secure wrap/,
      ],
      ["/keys/kek-strict/securewrapkey", { alg: "RSA-OAEP" }, 400, /not supported for secure wrap/],
    ];
    for (const [path, body, status, message] of cases) {
      const answer = await post(path, body);
      assert.equal(answer.status, status, `${path}: ${answer.text}`);
      assert.match(answer.json.error.message, message);
      assert.equal(answer.json.value, undefined);
    }
  });
});
