import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RawResponse } from "../harness/https-client.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const DIGEST_32 = b64(createHash("sha256").update("x").digest());

function expectError(
  response: RawResponse,
  status: number,
  code: string,
  message?: RegExp,
  inner?: string,
): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.error?.code, code, response.text);
  assert.match(response.json.error.message, /\(Activity ID: [0-9a-f-]+\)$/);
  if (message) assert.match(response.json.error.message, message);
  if (inner) assert.equal(response.json.error.innererror?.code, inner);
}

/**
 * Bad input, over raw HTTPS: every case is a Key Vault error with the right status, code and a
 * message that names the problem, and leaves the HSM as it was. The server survives all of it.
 */
describe("keys: error cases over raw requests", () => {
  let fx: KeysFixture;
  before(async () => {
    fx = await startKeysServer();
    for (const [name, body] of [
      ["rsa", { kty: "RSA", key_size: 2048 }],
      ["ec", { kty: "EC", crv: "P-256" }],
      ["aes128", { kty: "oct", key_size: 128 }],
      ["aes256", { kty: "oct", key_size: 256 }],
    ] as const) {
      const created = await fx.request("POST", `/keys/${name}/create`, body);
      assert.equal(created.status, 200, created.text);
    }
  });
  after(() => fx?.dispose());

  it("a wrong algorithm for the key type, curve or AES size is a 400 that says what the key is", async () => {
    expectError(
      await fx.request("POST", "/keys/rsa/sign", { alg: "ES256", value: DIGEST_32 }),
      400,
      "BadParameter",
      /EC-HSM keys; key rsa is a 2048-bit RSA-HSM key/,
    );
    expectError(
      await fx.request("POST", "/keys/ec/sign", { alg: "ES384", value: b64(randomBytes(48)) }),
      400,
      "BadParameter",
      /P-384/,
    );
    expectError(
      await fx.request("POST", "/keys/aes128/encrypt", { alg: "A256GCM", value: DIGEST_32 }),
      400,
      "BadParameter",
      /256-bit AES key; key aes128 is a 128-bit oct-HSM key/,
    );
    expectError(
      await fx.request("POST", "/keys/aes128/wrapkey", { alg: "A256KW", value: DIGEST_32 }),
      400,
      "BadParameter",
      /256-bit AES key/,
    );
    expectError(
      await fx.request("POST", "/keys/ec/encrypt", { alg: "RSA-OAEP", value: DIGEST_32 }),
      400,
      "BadParameter",
      /RSA-HSM keys/,
    );
    expectError(
      await fx.request("POST", "/keys/rsa/sign", { alg: "RSNULL", value: DIGEST_32 }),
      400,
      "BadParameter",
      /not supported for sign\. Supported: RS256/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/wrapkey", { alg: "A256GCM", value: DIGEST_32 }),
      400,
      "BadParameter",
      /not supported for wrapKey/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/encrypt", { alg: "A256KW", value: DIGEST_32 }),
      400,
      "BadParameter",
      /not supported for encrypt/,
    );
  });

  it("a digest of the wrong length is a 400 naming the expected length", async () => {
    expectError(
      await fx.request("POST", "/keys/rsa/sign", { alg: "PS256", value: b64(randomBytes(20)) }),
      400,
      "BadParameter",
      /32 bytes; the value given is 20 bytes/,
    );
    expectError(
      await fx.request("POST", "/keys/ec/sign", { alg: "ES256", value: b64(randomBytes(64)) }),
      400,
      "BadParameter",
      /SHA256 digest of 32 bytes/,
    );
    expectError(
      await fx.request("POST", "/keys/rsa/verify", {
        alg: "RS512",
        digest: DIGEST_32,
        value: b64(randomBytes(256)),
      }),
      400,
      "BadParameter",
      /64 bytes/,
    );
  });

  it("missing or misplaced iv, tag and aad are 400s", async () => {
    const encrypted = await fx.request("POST", "/keys/aes256/encrypt", { alg: "A256GCM", value: DIGEST_32 });
    assert.equal(encrypted.status, 200);
    const { value, iv, tag } = encrypted.json;
    expectError(
      await fx.request("POST", "/keys/aes256/decrypt", { alg: "A256GCM", value, tag }),
      400,
      "BadParameter",
      /needs the iv/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/decrypt", { alg: "A256GCM", value, iv }),
      400,
      "BadParameter",
      /needs the authentication tag/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/decrypt", {
        alg: "A256GCM",
        value,
        iv,
        tag: b64(randomBytes(16)),
      }),
      400,
      "BadParameter",
      /did not authenticate/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/decrypt", {
        alg: "A256GCM",
        value,
        iv: b64(randomBytes(8)),
        tag,
      }),
      400,
      "BadParameter",
      /iv must be 12 bytes/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/encrypt", { alg: "A256GCM", value, iv: b64(randomBytes(12)) }),
      400,
      "BadParameter",
      /takes no iv/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/decrypt", { alg: "A256CBC", value: DIGEST_32 }),
      400,
      "BadParameter",
      /needs the iv/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/encrypt", {
        alg: "A256CBC",
        value: b64(randomBytes(17)),
        iv: b64(randomBytes(16)),
      }),
      400,
      "BadParameter",
      /whole number of 16-byte blocks/,
    );
    expectError(
      await fx.request("POST", "/keys/rsa/encrypt", {
        alg: "RSA-OAEP",
        value: DIGEST_32,
        iv: b64(randomBytes(16)),
      }),
      400,
      "BadParameter",
      /'iv' does not apply to RSA-OAEP/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/wrapkey", { alg: "A256KW", value: b64(randomBytes(12)) }),
      400,
      "BadParameter",
      /at least 16 bytes and a multiple of 8/,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/unwrapkey", { alg: "A256KW", value: b64(randomBytes(24)) }),
      400,
      "BadParameter",
      /did not authenticate/,
    );
  });

  it("RSA: too much plaintext and undecryptable data are 400s (the same message for every bad ciphertext)", async () => {
    expectError(
      await fx.request("POST", "/keys/rsa/encrypt", { alg: "RSA-OAEP-256", value: b64(randomBytes(191)) }),
      400,
      "BadParameter",
      /at most 190/,
    );
    for (const alg of ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]) {
      expectError(
        await fx.request("POST", "/keys/rsa/decrypt", { alg, value: b64(randomBytes(256)) }),
        400,
        "BadParameter",
        /could not be decrypted with this key and algorithm/,
      );
    }
    expectError(
      await fx.request("POST", "/keys/rsa/unwrapkey", { alg: "RSA-OAEP", value: b64(randomBytes(10)) }),
      400,
      "BadParameter",
      /could not be decrypted/,
    );
  });

  it("malformed bodies: bad base64url, missing members, wrong types", async () => {
    expectError(
      await fx.request("POST", "/keys/rsa/sign", { alg: "PS256", value: "not base64!" }),
      400,
      "BadParameter",
      /'value' field is not valid base64url/,
    );
    expectError(await fx.request("POST", "/keys/rsa/sign", { value: DIGEST_32 }), 400, "BadParameter", /alg/);
    expectError(
      await fx.request("POST", "/keys/rsa/verify", { alg: "PS256", value: DIGEST_32 }),
      400,
      "BadParameter",
      /digest/,
    );
    expectError(
      await fx.request("POST", "/keys/rsa/sign", { alg: 5, value: DIGEST_32 }),
      400,
      "BadParameter",
    );
    expectError(
      await fx.request("POST", "/keys/x/create", "{not json"),
      400,
      "BadParameter",
      /not valid JSON/,
    );
    // A bad signature is an answer, not an error.
    const verified = await fx.request("POST", "/keys/ec/verify", {
      alg: "ES256",
      digest: DIGEST_32,
      value: b64(randomBytes(10)),
    });
    assert.equal(verified.status, 200);
    assert.equal(verified.json.value, false);
  });

  it("unknown keys and versions are 404 KeyNotFound; malformed names are 400", async () => {
    expectError(
      await fx.request("GET", "/keys/missing"),
      404,
      "KeyNotFound",
      /\(name\/id\) missing was not found/,
    );
    expectError(await fx.request("GET", `/keys/rsa/${"ab".repeat(16)}`), 404, "KeyNotFound");
    expectError(
      await fx.request("POST", "/keys/missing/sign", { alg: "PS256", value: DIGEST_32 }),
      404,
      "KeyNotFound",
    );
    expectError(await fx.request("GET", "/deletedkeys/rsa"), 404, "KeyNotFound", /Deleted key not found/);
    expectError(await fx.request("POST", "/deletedkeys/rsa/recover"), 404, "KeyNotFound");
    expectError(await fx.request("DELETE", "/deletedkeys/rsa"), 404, "KeyNotFound");
    expectError(
      await fx.request("POST", "/keys/bad_name/create", { kty: "EC" }),
      400,
      "BadParameter",
      /key name 'bad_name' is not valid/,
    );
    expectError(await fx.request("GET", `/keys/${"a".repeat(128)}`), 400, "BadParameter", /1 to 127/);
    const longest = "a".repeat(127);
    assert.equal(
      (await fx.request("POST", `/keys/${longest}/create`, { kty: "EC" })).status,
      200,
      "127 characters is a valid name",
    );
    assert.equal((await fx.request("DELETE", `/keys/${longest}`)).status, 200);
    assert.equal((await fx.request("DELETE", `/deletedkeys/${longest}`)).status, 204);
  });

  it("enabled: false, nbf and exp are enforced (403 with the reason), and lifting them restores use", async () => {
    const sign = () => fx.request("POST", "/keys/ec/sign", { alg: "ES256", value: DIGEST_32 });
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await fx.request("PATCH", "/keys/ec", { attributes: { enabled: false } })).status, 200);
    expectError(await sign(), 403, "Forbidden", /disabled key/, "KeyDisabled");
    expectError(
      await fx.request("POST", "/keys/ec/verify", {
        alg: "ES256",
        digest: DIGEST_32,
        value: b64(randomBytes(64)),
      }),
      403,
      "Forbidden",
      /disabled/,
      "KeyDisabled",
    );
    assert.equal((await fx.request("GET", "/keys/ec")).status, 200, "a disabled key can still be read");
    assert.equal(
      (await fx.request("PATCH", "/keys/ec", { attributes: { enabled: true, nbf: now + 3600 } })).status,
      200,
    );
    expectError(await sign(), 403, "Forbidden", /activation date/, "KeyNotYetValid");
    assert.equal(
      (await fx.request("PATCH", "/keys/ec", { attributes: { nbf: null, exp: now - 60 } })).status,
      200,
    );
    expectError(await sign(), 403, "Forbidden", /expired key/, "KeyExpired");
    assert.equal((await fx.request("PATCH", "/keys/ec", { attributes: { exp: now + 3600 } })).status, 200);
    assert.equal((await sign()).status, 200);
  });

  it("key_ops are enforced, and key_ops that do not fit the key type are refused without a change", async () => {
    assert.equal(
      (await fx.request("PATCH", "/keys/aes256", { key_ops: ["wrapKey", "unwrapKey"] })).status,
      200,
    );
    expectError(
      await fx.request("POST", "/keys/aes256/encrypt", { alg: "A256GCM", value: DIGEST_32 }),
      403,
      "Forbidden",
      /not allowed by key aes256's key_ops \(wrapKey, unwrapKey\)/,
      "KeyOperationNotAllowed",
    );
    expectError(
      await fx.request("POST", "/keys/aes256/sign", { alg: "HS256", value: DIGEST_32 }),
      403,
      "Forbidden",
      undefined,
      "KeyOperationNotAllowed",
    );
    assert.equal(
      (await fx.request("POST", "/keys/aes256/wrapkey", { alg: "A256KW", value: DIGEST_32 })).status,
      200,
    );

    const before = (await fx.request("GET", "/keys/ec")).json;
    expectError(
      await fx.request("PATCH", "/keys/ec", { key_ops: ["sign", "encrypt"], tags: { x: "y" } }),
      400,
      "BadParameter",
      /'encrypt' does not apply to EC-HSM keys/,
    );
    expectError(
      await fx.request("PATCH", "/keys/ec", { key_ops: ["fly"] }),
      400,
      "BadParameter",
      /'fly' is not a key operation/,
    );
    assert.deepEqual((await fx.request("GET", "/keys/ec")).json, before, "a refused update changes nothing");
  });

  it("bad create requests are 400s and create nothing", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ kty: "DSA" }, /not a key type this HSM holds/],
      [{ kty: "RSA", key_size: 1024 }, /key_size 1024 is not valid for RSA-HSM; use 2048, 3072, 4096/],
      [{ kty: "RSA", public_exponent: 4 }, /public_exponent 4 is not valid/],
      [{ kty: "EC", crv: "P-999" }, /crv 'P-999' is not valid/],
      [{ kty: "EC", key_size: 256 }, /key_size does not apply to EC keys/],
      [{ kty: "oct", key_size: 512 }, /key_size 512 is not valid for oct-HSM/],
      [{ kty: "oct", crv: "P-256" }, /crv applies to EC keys only/],
      [{ kty: "EC", key_ops: ["decrypt"] }, /'decrypt' does not apply to EC-HSM keys/],
      [{ kty: "EC", attributes: { exportable: true } }, /Exportable keys must have release policy/],
      [{ kty: "EC", release_policy: { data: "e30" } }, /Key Release Policy: missing 'version' property/],
      [
        { kty: "EC", attributes: { nbf: 2000000000, exp: 1900000000 } },
        /exp\) must be after its activation date/,
      ],
      [
        { kty: "EC", tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"])) },
        /at most 15 tags/,
      ],
    ];
    for (const [body, message] of cases) {
      expectError(await fx.request("POST", "/keys/never-made/create", body), 400, "BadParameter", message);
    }
    expectError(await fx.request("GET", "/keys/never-made"), 404, "KeyNotFound");
  });

  it("bad imports are 400s (or 501 for BYOK) and import nothing", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const ecOther = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" });
    const cases: Array<[unknown, number, string, RegExp]> = [
      [
        { kty: "RSA", n: rsa.n, e: rsa.e },
        400,
        "BadParameter",
        /needs its private part: the JWK lacks 'd', 'p', 'q', 'dp', 'dq', 'qi'/,
      ],
      [{ ...rsa, n: other.n }, 400, "BadParameter", /do not match|not a valid RSA key/],
      [{ ...small }, 400, "BadParameter", /1024 bits; an HSM key has 2048, 3072, 4096 bits/],
      [{ ...ec, x: ecOther.x }, 400, "BadParameter", /not a valid EC key/],
      [
        { kty: "EC", crv: "P-192", x: ec.x, y: ec.y, d: ec.d },
        400,
        "BadParameter",
        /curve \(crv\) must be one of/,
      ],
      [
        { kty: "oct", k: b64(randomBytes(10)) },
        400,
        "BadParameter",
        /80 bits; an AES key has 128, 192 or 256 bits/,
      ],
      [{ kty: "oct", k: "***" }, 400, "BadParameter", /'key.k' field is not valid base64url/],
      [{ kty: "RSA-HSM", key_hsm: b64(randomBytes(100)) }, 501, "NotImplemented", /Bring-your-own-key/],
    ];
    for (const [key, status, code, message] of cases) {
      expectError(await fx.request("PUT", "/keys/never-imported", { key }), status, code, message);
    }
    expectError(await fx.request("GET", "/keys/never-imported"), 404, "KeyNotFound");
  });

  it("a key that is not exportable is never released (test/release has the rest)", async () => {
    const release = await fx.request("POST", "/keys/rsa/release", { target: "eyJhbGciOiJub25lIn0.e30." });
    expectError(release, 400, "BadParameter", /is not exportable.* No key material was released/);
    assert.ok(!("value" in release.json));
  });

  it("lists: maxresults outside 1..25 is a 400", async () => {
    for (const value of ["0", "26", "abc", "-1"]) {
      expectError(
        await fx.request("GET", `/keys?maxresults=${value}`),
        400,
        "BadParameter",
        /maxresults must be an integer from 1 to 25/,
      );
    }
    assert.equal((await fx.request("GET", "/keys?maxresults=25")).status, 200);
  });

  it("restore refuses a tampered or foreign blob and restores nothing", async () => {
    const backup = await fx.request("POST", "/keys/ec/backup");
    assert.equal(backup.status, 200);
    const blob = Buffer.from(backup.json.value, "base64url");
    assert.equal((await fx.request("DELETE", "/keys/ec")).status, 200);
    assert.equal((await fx.request("DELETE", "/deletedkeys/ec")).status, 204);
    // The header changed: not a blob of this format, in the service's words.
    const header = Buffer.from(blob);
    header[0] = (header[0] as number) ^ 0x01;
    expectError(
      await fx.request("POST", "/keys/restore", { value: b64(header) }),
      400,
      "BadParameter",
      /^Backup blob contains invalid or corrupt version\. \(Activity ID: /,
    );
    // The sealed part changed: the seal does not open, said apart from a malformed blob.
    for (const position of [10, blob.length - 1, Math.floor(blob.length / 2)]) {
      const tampered = Buffer.from(blob);
      tampered[position] = (tampered[position] as number) ^ 0x01;
      expectError(
        await fx.request("POST", "/keys/restore", { value: b64(tampered) }),
        400,
        "BadParameter",
        /^Backup blob cannot be opened by this HSM: it was changed, or it was made by an HSM with another security domain\./,
      );
    }
    for (const junk of [randomBytes(300), Buffer.alloc(8693)]) {
      expectError(
        await fx.request("POST", "/keys/restore", { value: b64(junk) }),
        400,
        "BadParameter",
        /^Backup blob contains invalid or corrupt version\./,
      );
    }
    expectError(await fx.request("GET", "/keys/ec"), 404, "KeyNotFound");
    assert.equal(
      (await fx.request("POST", "/keys/restore", { value: b64(blob) })).status,
      200,
      "the untouched blob restores",
    );
  });

  it("invalid rotation policies are 400s and leave the policy as it was", async () => {
    const set = await fx.request("PUT", "/keys/rsa/rotationpolicy", {
      lifetimeActions: [{ trigger: { timeAfterCreate: "P30D" }, action: { type: "Rotate" } }],
      attributes: { expiryTime: "P60D" },
    });
    assert.equal(set.status, 200, set.text);
    const bad = [
      [{ attributes: { expiryTime: "P10D" } }, /at least 28 days/],
      [
        { lifetimeActions: [{ trigger: { timeAfterCreate: "P1D" }, action: { type: "Rotate" } }] },
        /at least 7 days/,
      ],
      [
        { lifetimeActions: [{ trigger: { timeAfterCreate: "soon" }, action: { type: "Rotate" } }] },
        /not an ISO 8601 duration/,
      ],
      [
        { lifetimeActions: [{ trigger: { timeAfterCreate: "P8D" }, action: { type: "Delete" } }] },
        /'Rotate' or 'Notify'/,
      ],
    ] as const;
    for (const [body, message] of bad) {
      expectError(await fx.request("PUT", "/keys/rsa/rotationpolicy", body), 400, "BadParameter", message);
    }
    assert.deepEqual((await fx.request("GET", "/keys/rsa/rotationpolicy")).json, set.json);
    expectError(await fx.request("PUT", "/keys/missing/rotationpolicy", {}), 404, "KeyNotFound");
    expectError(await fx.request("POST", "/keys/missing/rotate"), 404, "KeyNotFound");
  });

  it("the server logged no unhandled error through all of this", () => {
    assert.ok(!/unhandled error/i.test(fx.server.output()), fx.server.output());
  });
});
