import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { startServerProcess } from "../harness/server-process.js";
import { publicKeyFromJwk } from "./support/jwk.js";
import { API, type KeysFixture, startKeysServer } from "./support/keys-fixture.js";
import { filesUnder } from "../harness/files.js";

/** The secret as raw bytes and in the text encodings it could be written in. */
function spellings(secret: Buffer): Buffer[] {
  return [
    secret,
    Buffer.from(secret.toString("hex")),
    Buffer.from(secret.toString("base64")),
    Buffer.from(secret.toString("base64url")),
  ];
}

/**
 * Key material is sealed by the barrier at rest and never written in the clear: not in the
 * database (or its WAL), not in the audit log, not in the server's output. After a restart the
 * same keys work, so what was stored really is the material, sealed.
 */
describe("keys: material at rest, in logs and in audit records", () => {
  let fx: KeysFixture;
  const secrets: Record<string, Buffer> = {};
  const plaintext = randomBytes(24);
  let generatedKid = "";
  let generatedJwk: Record<string, string> = {};

  before(async () => {
    fx = await startKeysServer();
    const oct = randomBytes(32);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" });
    secrets.oct = oct;
    secrets.rsaD = Buffer.from(rsa.d as string, "base64url");
    secrets.rsaP = Buffer.from(rsa.p as string, "base64url");
    secrets.ecD = Buffer.from(ec.d as string, "base64url");
    secrets.plaintext = plaintext;
    const imports = [
      ["at-rest-oct", { kty: "oct", k: oct.toString("base64url") }],
      ["at-rest-rsa", { ...rsa }],
      ["at-rest-ec", { ...ec }],
    ] as const;
    for (const [name, key] of imports) {
      const response = await fx.request("PUT", `/keys/${name}`, { key });
      assert.equal(response.status, 200, response.text);
    }
    // Use them, so material goes through every path: crypto, backup, delete and recover.
    const gcm = await fx.request("POST", "/keys/at-rest-oct/encrypt", {
      alg: "A256GCM",
      value: plaintext.toString("base64url"),
    });
    assert.equal(gcm.status, 200);
    const digest = createHash("sha384").update("x").digest().toString("base64url");
    assert.equal(
      (await fx.request("POST", "/keys/at-rest-ec/sign", { alg: "ES384", value: digest })).status,
      200,
    );
    assert.equal((await fx.request("POST", "/keys/at-rest-rsa/backup")).status, 200);
    assert.equal((await fx.request("DELETE", "/keys/at-rest-rsa")).status, 200);
    assert.equal((await fx.request("POST", "/deletedkeys/at-rest-rsa/recover")).status, 200);
    const generated = await fx.request("POST", "/keys/at-rest-generated/create", { kty: "RSA" });
    generatedKid = generated.json.key.kid;
    generatedJwk = generated.json.key;
    await fx.server.stop();
  });
  after(() => fx?.dispose());

  it("no file in the data directory holds the key material (or the plaintext) in any encoding", async () => {
    const files = await filesUnder(fx.server.dataDir);
    // On SQLite the database (and its WAL) is in the data directory; on PostgreSQL it is not.
    if (!process.env.MHSM_TEST_POSTGRES_URL) assert.ok(files.some((file) => file.endsWith("mhsm.db")));
    for (const file of files) {
      const content = await readFile(file);
      for (const [name, secret] of Object.entries(secrets)) {
        for (const spelling of spellings(secret)) {
          assert.equal(content.indexOf(spelling), -1, `${name} found in ${file}`);
        }
      }
    }
  });

  it("the audit log records the key operations, and nothing of the material", async () => {
    const audit = await readFile(join(fx.server.dataDir, "audit.log"), "utf8");
    const records = audit
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const operations = new Set(records.map((record: { operation: string }) => record.operation));
    for (const operation of [
      "ImportKey",
      "Encrypt",
      "Sign",
      "BackupKey",
      "DeleteKey",
      "RecoverDeletedKey",
      "CreateKey",
    ]) {
      assert.ok(operations.has(operation), operation);
    }
    const sign = records.find((record: { operation: string }) => record.operation === "Sign");
    assert.equal(sign.target, "/keys/at-rest-ec");
    for (const secret of Object.values(secrets)) {
      for (const spelling of spellings(secret)) assert.ok(!audit.includes(spelling.toString("latin1")));
    }
  });

  it("the server's output holds none of it either", () => {
    const output = fx.server.output();
    for (const secret of Object.values(secrets)) {
      for (const spelling of spellings(secret).slice(1)) assert.ok(!output.includes(spelling.toString()));
    }
  });

  it("after a restart the same keys work: a new signature verifies under the key's old public JWK", async () => {
    const again = await startServerProcess({ dataDir: fx.server.dataDir });
    try {
      const token = await adminToken(again);
      const digest = createHash("sha256").update("after restart").digest();
      const signed = await rawRequest(again, {
        method: "POST",
        path: `/keys/at-rest-generated/sign?${API}`,
        token,
        body: { alg: "RS256", value: digest.toString("base64url") },
      });
      assert.equal(signed.status, 200, signed.text);
      assert.equal(new URL(signed.json.kid).pathname, new URL(generatedKid).pathname);
      const publicKey = publicKeyFromJwk({
        kty: "RSA",
        n: new Uint8Array(Buffer.from(generatedJwk.n as string, "base64url")),
        e: new Uint8Array(Buffer.from(generatedJwk.e as string, "base64url")),
      });
      const message = Buffer.from("after restart");
      assert.ok(verify("sha256", message, publicKey, Buffer.from(signed.json.value, "base64url")));
      const unwrapped = await rawRequest(again, {
        method: "POST",
        path: `/keys/at-rest-oct/wrapkey?${API}`,
        token,
        body: { alg: "A256KW", value: randomBytes(16).toString("base64url") },
      });
      assert.equal(unwrapped.status, 200);
    } finally {
      await again.stop();
    }
  });
});
