import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, createHmac, generateKeyPairSync, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { createPrincipal } from "../harness/principals.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { openRelease } from "./support/independent-unwrap.js";
import { type TokenIssuer, makeTestCa, runtimeClaim, startTokenIssuer } from "./support/token-issuer.js";

const encode = (policy: unknown) => new TextEncoder().encode(JSON.stringify(policy));
const cvmPolicy = (authority: string) => ({
  version: "1.0.0",
  anyOf: [
    {
      authority,
      allOf: [
        { claim: "x-ms-isolation-tee.x-ms-attestation-type", equals: "sevsnpvm" },
        { claim: "x-ms-isolation-tee.x-ms-compliance-status", equals: "azure-compliant-cvm" },
      ],
    },
  ],
});
const cvmClaims = {
  "x-ms-attestation-type": "azurevm",
  "x-ms-isolation-tee": {
    "x-ms-attestation-type": "sevsnpvm",
    "x-ms-compliance-status": "azure-compliant-cvm",
  },
};

async function refused(
  promise: Promise<unknown>,
  status: number,
  code: string,
  message: RegExp,
): Promise<void> {
  let answer: unknown;
  try {
    answer = await promise;
  } catch (error) {
    assert.ok(error instanceof RestError, String(error));
    assert.equal(error.statusCode, status, error.message);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return;
  }
  assert.fail(`expected a refusal (${message}), got ${JSON.stringify(answer).slice(0, 300)}`);
}

describe("secure key release against an independent attestation authority over HTTPS (NODE_EXTRA_CA_CERTS), and every refusal", () => {
  let fx: KeysFixture;
  let trusted: TokenIssuer;
  let untrusted: TokenIssuer;
  let ca: ReturnType<typeof makeTestCa>;
  const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const tokens: string[] = [];
  const track = (token: string) => (tokens.push(token), token);

  before(async () => {
    ca = makeTestCa();
    trusted = await startTokenIssuer(ca, "trusted");
    untrusted = await startTokenIssuer(ca, "untrusted");
    fx = await startKeysServer({
      args: ["--attestation-authority", trusted.authority],
      env: { NODE_EXTRA_CA_CERTS: ca.caFile },
    });
  });
  after(async () => {
    await fx?.dispose();
    await trusted?.close();
    await untrusted?.close();
    ca?.dispose();
  });

  it("imports an exportable key with a confidential-VM policy and releases it to a token signed with the x5c key; and with the n/e key", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = privateKey.export({ format: "jwk" });
    const imported = await fx.keyClient.importKey(
      "cvm-ec",
      {
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(jwk.x as string, "base64url"),
        y: Buffer.from(jwk.y as string, "base64url"),
        d: Buffer.from(jwk.d as string, "base64url"),
      },
      { exportable: true, releasePolicy: { encodedPolicy: encode(cvmPolicy(trusted.authority)) } },
    );
    assert.equal(imported.properties.exportable, true);
    for (const [kid, key] of [
      ["x5c-key", trusted.keys.x5c],
      ["ne-key", trusted.keys.ne],
    ] as const) {
      const token = track(
        trusted.token(
          { ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) },
          { header: { kid }, key },
        ),
      );
      const released = await fx.keyClient.releaseKey("cvm-ec", token, {
        algorithm: "RSA_AES_KEY_WRAP_256",
        nonce: "abc",
      });
      const opened = openRelease(released.value, runtime.privateKey);
      assert.equal(opened.payload.request.nonce, "abc");
      assert.equal(opened.payload.response.key.key.kty, "EC");
      assert.equal(opened.keyHsm.header.kid, "TpmEphemeralEncryptionKey");
      // The released EC key is the imported one.
      assert.equal(
        createPrivateKey({ key: opened.material, format: "der", type: "pkcs8" }).export({ format: "jwk" }).d,
        jwk.d,
      );
    }
    assert.ok(trusted.requests.includes("/.well-known/openid-configuration"));
    // Metadata and keys are cached: two releases, one fetch.
    assert.equal(trusted.requests.filter((p) => p === "/certs").length, 1);
  });

  it("an oct key is released as its raw bytes, and what the HSM encrypted decrypts with them", async () => {
    const key = await fx.keyClient.createOctKey("oct-export", {
      keySize: 256,
      exportable: true,
      releasePolicy: { encodedPolicy: encode(cvmPolicy(trusted.authority)) },
    });
    const token = track(trusted.token({ ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) }));
    const opened = openRelease(
      (await fx.keyClient.releaseKey("oct-export", token)).value,
      runtime.privateKey,
    );
    assert.equal(opened.material.length, 32);
    const iv = Buffer.alloc(16, 1);
    const encrypted = await fx
      .cryptoClient(key)
      .encrypt({ algorithm: "A256CBCPAD", plaintext: Buffer.from("secret"), iv });
    const { createDecipheriv } = await import("node:crypto");
    const decipher = createDecipheriv("aes-256-cbc", opened.material, iv);
    assert.equal(Buffer.concat([decipher.update(encrypted.result), decipher.final()]).toString(), "secret");
  });

  it("refuses exportable without a policy, a policy without exportable, and a malformed policy, in the service's words", async () => {
    await refused(
      fx.keyClient.createRsaKey("no-policy", { exportable: true }),
      400,
      "BadParameter",
      /Exportable keys must have release policy/,
    );
    await refused(
      fx.keyClient.createRsaKey("policy-only", {
        releasePolicy: { encodedPolicy: encode(cvmPolicy(trusted.authority)) },
      }),
      400,
      "BadParameter",
      /Non-exportable keys must not have release policy/,
    );
    await refused(
      fx.keyClient.createRsaKey("no-version", {
        exportable: true,
        releasePolicy: { encodedPolicy: encode({ anyOf: [] }) },
      }),
      400,
      "BadParameter",
      /missing 'version' property/,
    );
    await refused(
      fx.keyClient.createRsaKey("bad-op", {
        exportable: true,
        releasePolicy: {
          encodedPolicy: encode({
            version: "1.0.0",
            anyOf: [{ authority: trusted.authority, allOf: [{ claim: "a", matches: "b" }] }],
          }),
        },
      }),
      400,
      "BadParameter",
      /exactly one operator/,
    );
    for (const name of ["no-policy", "policy-only", "no-version", "bad-op"]) {
      assert.equal((await fx.request("GET", `/keys/${name}`)).status, 404, `${name} was not created`);
    }
  });

  it("refuses each bad release with a clear error and releases nothing", async () => {
    await fx.keyClient.createRsaKey("guarded", {
      exportable: true,
      releasePolicy: { encodedPolicy: encode(cvmPolicy(trusted.authority)) },
    });
    await fx.keyClient.createRsaKey("not-exportable");
    await fx.keyClient.createRsaKey("other-authority", {
      exportable: true,
      releasePolicy: { encodedPolicy: encode(cvmPolicy(untrusted.authority)) },
    });
    const good = { ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) };
    const now = Math.floor(Date.now() / 1000);
    const [h, p] = trusted.token(good).split(".");
    const ecRuntime = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    const cases: Array<[string, string, string, number, string, RegExp]> = [
      [
        "no policy (key not exportable)",
        "not-exportable",
        track(trusted.token(good)),
        400,
        "BadParameter",
        /is not exportable/,
      ],
      [
        "wrong claim value",
        "guarded",
        track(
          trusted.token({
            ...good,
            "x-ms-isolation-tee": {
              "x-ms-attestation-type": "tdxvm",
              "x-ms-compliance-status": "azure-compliant-cvm",
            },
          }),
        ),
        403,
        "Forbidden",
        /does not satisfy .*x-ms-isolation-tee.x-ms-attestation-type/,
      ],
      [
        "untrusted authority",
        "other-authority",
        track(untrusted.token(good)),
        403,
        "Forbidden",
        /not one this HSM trusts/,
      ],
      [
        "token from another authority than the policy's",
        "guarded",
        track(untrusted.token(good)),
        403,
        "Forbidden",
        /issued by/,
      ],
      [
        "bad signature",
        "guarded",
        track(`${h}.${p}.${Buffer.alloc(256, 1).toString("base64url")}`),
        400,
        "BadParameter",
        /signature does not verify/,
      ],
      [
        "expired",
        "guarded",
        track(trusted.token({ ...good, exp: now - 600, nbf: now - 3600 })),
        400,
        "BadParameter",
        /expired/,
      ],
      [
        "not yet valid",
        "guarded",
        track(trusted.token({ ...good, nbf: now + 3600 })),
        400,
        "BadParameter",
        /not valid yet/,
      ],
      [
        "runtime key of the wrong kind (EC)",
        "guarded",
        track(trusted.token({ ...good, "x-ms-runtime": { keys: [{ ...ecRuntime, kid: "ec" }] } })),
        400,
        "BadParameter",
        /names no key to release to/,
      ],
      [
        "no runtime key",
        "guarded",
        track(trusted.token({ ...cvmClaims })),
        400,
        "BadParameter",
        /no x-ms-runtime.keys/,
      ],
      [
        "alg none",
        "guarded",
        track(`${Buffer.from(JSON.stringify({ alg: "none", kid: "x5c-key" })).toString("base64url")}.${p}.`),
        400,
        "BadParameter",
        /signed with 'none'/,
      ],
      [
        "HS256 keyed with the authority's public key",
        "guarded",
        track(hs256(good, trusted)),
        400,
        "BadParameter",
        /signed with 'HS256'/,
      ],
      [
        "kid not in the JWKS",
        "guarded",
        track(trusted.token(good, { header: { kid: "made-up" } })),
        400,
        "BadParameter",
        /'made-up' is not among the keys/,
      ],
      [
        "iss of the trusted authority, signed by another",
        "guarded",
        track(trusted.token(good, { key: untrusted.keys.x5c })),
        400,
        "BadParameter",
        /signature does not verify/,
      ],
      [
        "jku pointing at another authority's keys",
        "guarded",
        track(
          trusted.token(good, { key: untrusted.keys.x5c, header: { jku: `${untrusted.authority}certs` } }),
        ),
        400,
        "BadParameter",
        /signature does not verify/,
      ],
      ["not a JWT", "guarded", "not-a-token", 400, "BadParameter", /not a JSON web token/],
    ];
    for (const [what, key, token, status, code, message] of cases) {
      await refused(fx.keyClient.releaseKey(key, token), status, code, message).catch((error: Error) => {
        throw new Error(`${what}: ${error.message}`);
      });
    }
    // A huge token is refused before anything reads it.
    const huge = await fx.request("POST", "/keys/guarded/release", { target: "a".repeat(70_000) });
    assert.equal(huge.status, 400);
    assert.equal(huge.json.error.code, "BadParameter");
  });

  it("a principal without keys/release/action is refused (403 AccessDenied); the Crypto Service Release User role lets it release", async () => {
    const principal = await createPrincipal(fx.server, "release-caller");
    await assignRole(fx.server, principal.objectId, ROLE.cryptoAuditor);
    const { KeyClient } = await import("@azure/keyvault-keys");
    const client = new KeyClient(fx.server.url, fx.credentialFor(principal), fx.clientOptions);
    const token = track(trusted.token({ ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) }));
    await refused(client.releaseKey("guarded", token), 403, "AccessDenied", /keys\/release\/action/);
    await assignRole(fx.server, principal.objectId, ROLE.serviceReleaseUser, "/keys/guarded");
    const released = await client.releaseKey("guarded", token);
    assert.ok(openRelease(released.value, runtime.privateKey).material.length > 1000);
  });

  it("updates a mutable policy; an immutable one can never change or become mutable", async () => {
    const open = cvmPolicy(trusted.authority);
    await fx.keyClient.createRsaKey("mutable", {
      exportable: true,
      releasePolicy: { encodedPolicy: encode(open) },
    });
    const stricter = {
      ...open,
      anyOf: [{ authority: trusted.authority, allOf: [{ claim: "sdk-test", equals: true }] }],
    };
    const updated = await fx.keyClient.updateKeyProperties("mutable", {
      releasePolicy: { encodedPolicy: encode(stricter), immutable: true },
    });
    assert.equal(updated.properties.releasePolicy?.immutable, true);
    const token = track(trusted.token({ ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) }));
    await refused(fx.keyClient.releaseKey("mutable", token), 403, "Forbidden", /'sdk-test' equals true/);
    await refused(
      fx.keyClient.updateKeyProperties("mutable", { releasePolicy: { encodedPolicy: encode(open) } }),
      400,
      "BadParameter",
      /immutable/,
    );
    await refused(
      fx.keyClient.updateKeyProperties("mutable", {
        releasePolicy: { encodedPolicy: encode(stricter), immutable: false },
      }),
      400,
      "BadParameter",
      /immutable/,
    );
    const after = await fx.keyClient.getKey("mutable");
    assert.equal(after.properties.releasePolicy?.immutable, true);
    assert.deepEqual(
      JSON.parse(new TextDecoder().decode(after.properties.releasePolicy?.encodedPolicy)).anyOf[0].allOf,
      [{ claim: "sdk-test", equals: true }],
    );
    // exportable is fixed when a version is made (the JS SDK's update does not send it: raw PATCH).
    const patched = await fx.request("PATCH", "/keys/not-exportable", { attributes: { exportable: true } });
    assert.equal(patched.status, 400);
    assert.match(patched.json.error.message, /cannot be changed/);
    assert.equal((await fx.keyClient.getKey("not-exportable")).properties.exportable, false);
  });

  it("rotation and a single-key backup and restore keep exportable and the policy", async () => {
    const rotated = await fx.keyClient.rotateKey("guarded");
    assert.equal(rotated.properties.exportable, true);
    assert.ok(rotated.properties.releasePolicy?.encodedPolicy);
    const backup = await fx.keyClient.backupKey("guarded");
    await (await fx.keyClient.beginDeleteKey("guarded", { intervalInMs: 10 })).pollUntilDone();
    await fx.keyClient.purgeDeletedKey("guarded");
    const restored = await fx.keyClient.restoreKeyBackup(backup as Uint8Array);
    assert.equal(restored.properties.exportable, true);
    const token = track(trusted.token({ ...cvmClaims, "x-ms-runtime": runtimeClaim(runtime.publicKey) }));
    const opened = openRelease((await fx.keyClient.releaseKey("guarded", token)).value, runtime.privateKey);
    const privateKey = createPrivateKey({ key: opened.material, format: "der", type: "pkcs8" });
    const data = Buffer.from("after restore");
    const signed = await fx.cryptoClient(restored).signData("RS256", data);
    assert.ok(verify("sha256", data, createPublicKey(privateKey), Buffer.from(signed.result)));
  });

  it("the audit log records the releases and refusals, and neither it nor the server log holds a token or a wrapped key", async () => {
    const audit = await readFile(join(fx.server.dataDir, "audit.log"), "utf8");
    assert.match(audit, /Release/);
    for (const token of tokens) {
      const signature = token.split(".")[2];
      if (signature) assert.ok(!audit.includes(signature), "no token signature in the audit log");
      assert.ok(!audit.includes(token.split(".")[1] as string), "no token claims in the audit log");
    }
    assert.ok(!audit.includes("key_hsm"), "no wrapped key in the audit log");
    const log = fx.server.output();
    for (const token of tokens)
      assert.ok(!log.includes(token.split(".")[1] as string), "no token in the server's log");
    assert.ok(!log.includes("key_hsm"), "no wrapped key in the server's log");
  });
});

/** The classic forgery: HS256 "signed" with the bytes of the authority's public key. */
function hs256(claims: Record<string, unknown>, issuer: TokenIssuer): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: "HS256", kid: "x5c-key" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify({ iss: issuer.authority, exp: now + 600, ...claims })).toString(
    "base64url",
  );
  const secret = createPublicKey(issuer.keys.x5c).export({ format: "pem", type: "spki" });
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
