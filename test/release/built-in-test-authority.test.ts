import assert from "node:assert/strict";
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from "node:crypto";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { openssl } from "../keys/support/openssl.js";
import { openRelease } from "./support/independent-unwrap.js";

const policyFor = (authority: string, claim = "sdk-test", value: unknown = true) =>
  new TextEncoder().encode(
    JSON.stringify({ version: "1.0.0", anyOf: [{ authority, allOf: [{ claim, equals: value }] }] }),
  );

describe("secure key release against the built-in test attestation authority (--test-attestation-authority)", () => {
  let fx: KeysFixture;
  let authority: string;
  before(async () => {
    fx = await startKeysServer({ args: ["--test-attestation-authority"] });
    authority = `${fx.server.url}/test-attestation/`;
  });
  after(() => fx?.dispose());

  it("publishes OpenID metadata and a JWKS like an attestation instance, and generate-test-token answers {token}", async () => {
    const metadata = await rawRequest(fx.server, {
      method: "GET",
      path: "/test-attestation/.well-known/openid-configuration",
    });
    assert.equal(metadata.status, 200);
    assert.equal(metadata.json.issuer, authority);
    assert.equal(metadata.json.jwks_uri, `${fx.server.url}/test-attestation/certs`);
    const jwks = await rawRequest(fx.server, { method: "GET", path: "/test-attestation/certs" });
    assert.equal(jwks.json.keys[0].kty, "RSA");
    const generated = await rawRequest(fx.server, {
      method: "GET",
      path: "/test-attestation/generate-test-token",
    });
    const claims = JSON.parse(Buffer.from(generated.json.token.split(".")[1], "base64url").toString());
    assert.equal(claims["sdk-test"], true);
    assert.equal(claims.iss, authority);
    assert.equal(claims["x-ms-runtime"].keys[0].kty, "RSA");
  });

  it("the official JS SDK creates an exportable key with a release policy and releases it with a generate-test-token token", async () => {
    const name = "sdk-release";
    const created = await fx.keyClient.createRsaKey(name, {
      exportable: true,
      releasePolicy: { encodedPolicy: policyFor(authority) },
    });
    assert.equal(created.properties.exportable, true);
    const stored = JSON.parse(new TextDecoder().decode(created.properties.releasePolicy?.encodedPolicy));
    assert.deepEqual(stored, {
      anyOf: [{ allOf: [{ claim: "sdk-test", equals: true }], authority }],
      version: "1.0.0",
    });
    const { json } = await rawRequest(fx.server, {
      method: "GET",
      path: "/test-attestation/generate-test-token",
    });
    const released = await fx.keyClient.releaseKey(name, json.token, {
      version: created.properties.version,
      nonce: "n-1",
    });
    assert.match(released.value, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = JSON.parse(Buffer.from(released.value.split(".")[1] as string, "base64url").toString());
    assert.equal(payload.request.nonce, "n-1");
    assert.equal(payload.request.enc, "CKM_RSA_AES_KEY_WRAP");
    assert.equal(payload.response.key.key.kty, "RSA");
    assert.equal(payload.response.key.attributes.exportable, true);
  });

  it("a token minted for the test's own runtime key releases a key the test unwraps with node:crypto; the HSM's signature checks out with it and OpenSSL reads its PKCS#8", async () => {
    const runtime = generateKeyPairSync("rsa", { modulusLength: 3072 });
    const minted = await rawRequest(fx.server, {
      method: "POST",
      path: "/test-attestation/tokens",
      body: {
        claims: { "x-ms-isolation-tee": { "x-ms-attestation-type": "sevsnpvm" } },
        runtimeKey: runtime.publicKey.export({ format: "pem", type: "spki" }),
      },
    });
    assert.equal(minted.status, 200, minted.text);
    const policy = new TextEncoder().encode(
      JSON.stringify({
        version: "1.0.0",
        anyOf: [
          { authority, allOf: [{ claim: "x-ms-isolation-tee.x-ms-attestation-type", equals: "sevsnpvm" }] },
        ],
      }),
    );
    for (const enc of ["CKM_RSA_AES_KEY_WRAP", "RSA_AES_KEY_WRAP_256", "RSA_AES_KEY_WRAP_384"] as const) {
      const name = `unwrap-${enc.toLowerCase().replace(/_/g, "-")}`;
      const key = await fx.keyClient.createRsaKey(name, {
        exportable: true,
        releasePolicy: { encodedPolicy: policy },
      });
      const released = await fx.keyClient.releaseKey(name, minted.json.token, { algorithm: enc });
      const opened = openRelease(released.value, runtime.privateKey);
      assert.equal(opened.payload.request.enc, enc);
      const privateKey = createPrivateKey({ key: opened.material, format: "der", type: "pkcs8" });
      // The unwrapped private key is the HSM's: its public half is the key's, and a signature
      // the HSM makes verifies with it.
      const jwk = createPublicKey(privateKey).export({ format: "jwk" });
      assert.equal(jwk.n, Buffer.from(key.key?.n as Uint8Array).toString("base64url"));
      const data = Buffer.from(`signed inside the HSM by ${name}`);
      const signed = await fx.cryptoClient(key).signData("RS256", data);
      assert.ok(
        verify("sha256", data, createPublicKey(privateKey), Buffer.from(signed.result)),
        "the HSM's signature verifies with the unwrapped key",
      );
      const local = sign("sha256", Buffer.from("made outside the HSM"), privateKey);
      const check = await fx
        .cryptoClient(key)
        .verifyData("RS256", Buffer.from("made outside the HSM"), local);
      assert.equal(check.result, true, "a signature made with the unwrapped key verifies at the HSM");
      const text = openssl((dir) => ["pkey", "-inform", "DER", "-in", `${dir}/key.der`, "-noout", "-text"], {
        "key.der": opened.material,
      }).toString();
      assert.match(text, /Private-Key: \(2048 bit/);
    }
  });

  it("a release is signed by the HSM's attestation identity: OpenSSL verifies x5c to the root that the key's attestation names", async () => {
    const generated = await rawRequest(fx.server, {
      method: "GET",
      path: "/test-attestation/generate-test-token",
    });
    const policy = new TextEncoder().encode(
      JSON.stringify({
        version: "1.0.0",
        anyOf: [{ authority, allOf: [{ claim: "sdk-test", equals: true }] }],
      }),
    );
    await fx.keyClient.createEcKey("chained-release", {
      curve: "P-256",
      exportable: true,
      releasePolicy: { encodedPolicy: policy },
    });
    const released = await fx.keyClient.releaseKey("chained-release", generated.json.token);
    const header = JSON.parse(Buffer.from(released.value.split(".")[0] as string, "base64url").toString());
    const pem = (der: string) =>
      `-----BEGIN CERTIFICATE-----\n${(der.match(/.{1,64}/g) as string[]).join("\n")}\n-----END CERTIFICATE-----\n`;
    const chain = (header.x5c as string[]).map(pem);
    assert.equal(chain.length, 2, "x5c is the signing certificate and the root");
    const attestation = await fx.keyClient.getKeyAttestation("chained-release");
    const attestedPems = Buffer.from(
      attestation.properties.attestation?.certificatePemFile as Uint8Array,
    ).toString("utf8");
    const attestedRoot = new X509Certificate(
      attestedPems.slice(attestedPems.lastIndexOf("-----BEGIN CERTIFICATE-----")),
    );
    assert.ok(
      new X509Certificate(chain[1] as string).raw.equals(attestedRoot.raw),
      "the same root as key attestation",
    );
    const verified = openssl((dir) => ["verify", "-CAfile", `${dir}/root.pem`, `${dir}/leaf.pem`], {
      "root.pem": attestedRoot.toString(),
      "leaf.pem": chain[0] as string,
    }).toString();
    assert.match(verified, /leaf\.pem: OK/);
  });

  it("the SDK test service's flow works for a Python-style policy too: version 1.0 with condition/value is stored as 1.0.0", async () => {
    const legacy = new TextEncoder().encode(
      JSON.stringify({
        anyOf: [{ anyOf: [{ claim: "sdk-test", condition: "equals", value: "true" }], authority }],
        version: "1.0",
      }),
    );
    const key = await fx.keyClient.createRsaKey("legacy-policy", {
      exportable: true,
      releasePolicy: { encodedPolicy: legacy },
    });
    assert.equal(
      new TextDecoder().decode(key.properties.releasePolicy?.encodedPolicy),
      JSON.stringify({
        anyOf: [{ anyOf: [{ claim: "sdk-test", equals: "true" }], authority }],
        version: "1.0.0",
      }),
    );
    const { json } = await rawRequest(fx.server, {
      method: "GET",
      path: "/test-attestation/generate-test-token",
    });
    const released = await fx.keyClient.releaseKey("legacy-policy", json.token);
    assert.ok(released.value.length > 100);
  });
});
