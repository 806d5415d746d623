import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type SoftHsmToken,
  createSoftHsmToken,
  listTokenObjects,
  pkcs11ServeOptions,
} from "../harness/softhsm.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { openssl, opensslVerifies, p1363ToDer } from "../keys/support/openssl.js";
import { filesUnder } from "../harness/files.js";

const b64u = (bytes: Buffer) => bytes.toString("base64url");

/** The public key the server published for a key, as PEM (what OpenSSL is given). */
function publicPemOf(key: Record<string, string>): string {
  const jwk =
    key.kty === "RSA-HSM"
      ? { kty: "RSA", n: key.n, e: key.e }
      : { kty: "EC", crv: key.crv === "P-256K" ? "secp256k1" : key.crv, x: key.x, y: key.y };
  return createPublicKey({ key: jwk as never, format: "jwk" }).export({
    type: "spki",
    format: "pem",
  }) as string;
}

/**
 * HSM keys in the token (--hsm-backend pkcs11 on SoftHSM2): generated inside it as sensitive
 * token objects labelled with the key's name and version, which pkcs11-tool cannot read; their
 * signatures and ciphertexts check out with OpenSSL against the published public keys; imports
 * go into the token; a purge destroys the objects.
 */
describe("pkcs11 backend: keys live in the token", () => {
  let token: SoftHsmToken;
  let fx: KeysFixture;
  const published: Record<string, Record<string, string>> = {};

  before(async () => {
    token = createSoftHsmToken("mhsm-keys");
    fx = await startKeysServer(pkcs11ServeOptions(token));
  });
  after(async () => {
    await fx?.dispose();
    token?.remove();
  });

  const create = async (name: string, body: Record<string, unknown>) => {
    const response = await fx.request("POST", `/keys/${name}/create`, body);
    assert.equal(response.status, 200, `${name}: ${response.text}`);
    published[name] = response.json.key;
    return response.json.key as Record<string, string>;
  };
  const versionOf = (name: string) => (published[name]?.kid as string).split("/").at(-1) as string;

  it("generates RSA, EC and AES keys inside the token as sensitive, unreadable token objects", async () => {
    const specs: Array<[string, Record<string, unknown>]> = [
      ["rsa-2048", { kty: "RSA-HSM", key_size: 2048 }],
      ["rsa-3072", { kty: "RSA-HSM", key_size: 3072 }],
      ["rsa-4096", { kty: "RSA-HSM", key_size: 4096 }],
      ["ec-p256", { kty: "EC-HSM", crv: "P-256" }],
      ["ec-p384", { kty: "EC-HSM", crv: "P-384" }],
      ["ec-p521", { kty: "EC-HSM", crv: "P-521" }],
      ["ec-p256k", { kty: "EC-HSM", crv: "P-256K" }],
      ["aes-128", { kty: "oct-HSM", key_size: 128 }],
      ["aes-192", { kty: "oct-HSM", key_size: 192 }],
      ["aes-256", { kty: "oct-HSM", key_size: 256 }],
    ];
    for (const [name, body] of specs) await create(name, body);
    const objects = listTokenObjects(token);
    for (const [name] of specs) {
      const label = `${name}/${versionOf(name)}`;
      const object = objects.find((candidate) => candidate.label === label);
      assert.ok(object, `${label} is a token object: ${objects.map((o) => o.label).join(", ")}`);
      assert.match(object.header, name.startsWith("aes") ? /^Secret Key Object/ : /^Private Key Object/);
      const access = /Access:\s+(.*)/.exec(object.text)?.[1] ?? "";
      assert.match(access, /always sensitive/, `${label}: ${access}`);
      if (name.startsWith("aes")) {
        assert.throws(
          () => token.tool(["--read-object", "--type", "secrkey", "--label", label]),
          /CKR_ATTRIBUTE_SENSITIVE/,
          `${label}: its value cannot be read`,
        );
      } else {
        // pkcs11-tool exports a private key it can read to -o; a sensitive one gives it nothing.
        const out = join(token.tokenDir, "..", "exported.der");
        token.tool(["--read-object", "--type", "privkey", "--label", label, "-o", out]);
        assert.equal(existsSync(out), false, `${label}: pkcs11-tool could not export it`);
      }
    }
  });

  it("signs in the token; OpenSSL verifies RS256, PS256 and ECDSA against the published keys", async () => {
    const digest = createHash("sha256").update("signed in the token").digest();
    for (const [name, alg] of [
      ["rsa-2048", "RS256"],
      ["rsa-3072", "PS256"],
      ["rsa-4096", "RS256"],
      ["ec-p256", "ES256"],
      ["ec-p256k", "ES256K"],
    ] as const) {
      const signed = await fx.request("POST", `/keys/${name}/sign`, { alg, value: b64u(digest) });
      assert.equal(signed.status, 200, signed.text);
      const raw = Buffer.from(signed.json.value, "base64url");
      const signature = alg.startsWith("ES") ? p1363ToDer(raw) : raw;
      const options =
        alg === "PS256" ? ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:32"] : [];
      const files = {
        "pub.pem": publicPemOf(published[name] as Record<string, string>),
        digest,
        sig: signature,
      };
      const args = (dir: string) => [
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        join(dir, "pub.pem"),
        "-in",
        join(dir, "digest"),
        "-sigfile",
        join(dir, "sig"),
        ...(alg.startsWith("ES") ? [] : ["-pkeyopt", "digest:sha256", ...options]),
      ];
      assert.ok(opensslVerifies(args, files), `${name} ${alg}: OpenSSL verifies the token's signature`);
      const tampered = Buffer.from(digest);
      tampered.writeUInt8((tampered[0] as number) ^ 1, 0);
      assert.equal(opensslVerifies(args, { ...files, digest: tampered }), false, "and not another digest's");
      const verified = await fx.request("POST", `/keys/${name}/verify`, {
        alg,
        digest: b64u(digest),
        value: signed.json.value,
      });
      assert.equal(verified.json.value, true);
    }
    // P-384 and P-521 sign with the longer digests their algorithms take.
    for (const [name, alg, hash] of [
      ["ec-p384", "ES384", "sha384"],
      ["ec-p521", "ES512", "sha512"],
    ] as const) {
      const d = createHash(hash).update("long").digest();
      const signed = await fx.request("POST", `/keys/${name}/sign`, { alg, value: b64u(d) });
      assert.equal(signed.status, 200, signed.text);
      const pub = createPublicKey(publicPemOf(published[name] as Record<string, string>));
      const raw = Buffer.from(signed.json.value, "base64url");
      assert.equal(raw.length, name === "ec-p384" ? 96 : 132, "r||s at the curve's length");
      void pub;
      assert.ok(
        opensslVerifies(
          (dir) => [
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            join(dir, "pub.pem"),
            "-in",
            join(dir, "d"),
            "-sigfile",
            join(dir, "sig"),
          ],
          { "pub.pem": publicPemOf(published[name] as Record<string, string>), d, sig: p1363ToDer(raw) },
        ),
        `${name} ${alg}`,
      );
    }
  });

  it("decrypts in the token what OpenSSL encrypted to the published key (RSA-OAEP, RSA1_5); RSA-OAEP-256 is refused, naming what SoftHSM lacks", async () => {
    const secret = randomBytes(32);
    for (const [alg, options] of [
      ["RSA-OAEP", ["-pkeyopt", "rsa_padding_mode:oaep"]],
      ["RSA1_5", ["-pkeyopt", "rsa_padding_mode:pkcs1"]],
    ] as const) {
      const ciphertext = openssl(
        (dir) => [
          "pkeyutl",
          "-encrypt",
          "-pubin",
          "-inkey",
          join(dir, "pub.pem"),
          "-in",
          join(dir, "m"),
          "-out",
          join(dir, "c"),
          ...options,
        ],
        { "pub.pem": publicPemOf(published["rsa-2048"] as Record<string, string>), m: secret },
        "c",
      );
      const decrypted = await fx.request("POST", "/keys/rsa-2048/decrypt", { alg, value: b64u(ciphertext) });
      assert.equal(decrypted.status, 200, `${alg}: ${decrypted.text}`);
      assert.equal(decrypted.json.value, b64u(secret));
    }
    // SoftHSM 2.6 does OAEP with SHA-1 only: RSA-OAEP-256 is refused naming what the token lacks.
    const oaep256 = await fx.request("POST", "/keys/rsa-2048/decrypt", {
      alg: "RSA-OAEP-256",
      value: b64u(randomBytes(256)),
    });
    assert.equal(oaep256.status, 400, oaep256.text);
    assert.equal(oaep256.json.error.code, "BadParameter");
    assert.match(
      oaep256.json.error.message,
      /Algorithm 'RSA-OAEP-256' is not supported by this HSM's PKCS#11 token: it lacks CKM_RSA_PKCS_OAEP with sha256/,
    );
    const garbage = await fx.request("POST", "/keys/rsa-2048/decrypt", {
      alg: "RSA-OAEP",
      value: b64u(randomBytes(256)),
    });
    assert.equal(garbage.status, 400, garbage.text);
    assert.equal(garbage.json.error.code, "BadParameter");
    assert.match(garbage.json.error.message, /could not be decrypted/);
  });

  it("encrypts and wraps with AES in the token (GCM, CBC, CBCPAD, KW), refusing altered data with 400", async () => {
    const plaintext = randomBytes(48);
    const gcm = await fx.request("POST", "/keys/aes-256/encrypt", {
      alg: "A256GCM",
      value: b64u(plaintext),
      aad: b64u(Buffer.from("aad")),
    });
    assert.equal(gcm.status, 200, gcm.text);
    const opened = await fx.request("POST", "/keys/aes-256/decrypt", {
      alg: "A256GCM",
      value: gcm.json.value,
      iv: gcm.json.iv,
      tag: gcm.json.tag,
      aad: b64u(Buffer.from("aad")),
    });
    assert.equal(opened.json.value, b64u(plaintext));
    const wrongTag = Buffer.from(gcm.json.tag, "base64url");
    wrongTag.writeUInt8((wrongTag[0] as number) ^ 1, 0);
    const refused = await fx.request("POST", "/keys/aes-256/decrypt", {
      alg: "A256GCM",
      value: gcm.json.value,
      iv: gcm.json.iv,
      tag: b64u(wrongTag),
      aad: b64u(Buffer.from("aad")),
    });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.json.error.message, /did not authenticate/);
    for (const [name, alg] of [
      ["aes-128", "A128CBCPAD"],
      ["aes-192", "A192CBC"],
    ] as const) {
      const encrypted = await fx.request("POST", `/keys/${name}/encrypt`, { alg, value: b64u(plaintext) });
      assert.equal(encrypted.status, 200, `${alg}: ${encrypted.text}`);
      const decrypted = await fx.request("POST", `/keys/${name}/decrypt`, {
        alg,
        value: encrypted.json.value,
        iv: encrypted.json.iv,
      });
      assert.equal(decrypted.json.value, b64u(plaintext), alg);
    }
    const keyToWrap = randomBytes(32);
    const wrapped = await fx.request("POST", "/keys/aes-256/wrapkey", {
      alg: "A256KW",
      value: b64u(keyToWrap),
    });
    assert.equal(wrapped.status, 200, wrapped.text);
    const unwrapped = await fx.request("POST", "/keys/aes-256/unwrapkey", {
      alg: "A256KW",
      value: wrapped.json.value,
    });
    assert.equal(unwrapped.json.value, b64u(keyToWrap));
    const altered = Buffer.from(wrapped.json.value, "base64url");
    altered.writeUInt8((altered[3] as number) ^ 1, 3);
    const bad = await fx.request("POST", "/keys/aes-256/unwrapkey", { alg: "A256KW", value: b64u(altered) });
    assert.equal(bad.status, 400, bad.text);
    // SoftHSM 2.6's CKM_AES_KEY_WRAP_PAD does not give RFC 5649's results: refused, naming why.
    const padded = await fx.request("POST", "/keys/aes-256/wrapkey", {
      alg: "A256KWPAD",
      value: b64u(keyToWrap),
    });
    assert.equal(padded.status, 400, padded.text);
    assert.match(
      padded.json.error.message,
      /A256KWPAD' is not supported by this HSM's PKCS#11 token: .*RFC 5649/,
    );
  });

  it("imports keys into the token: the token signs with the imported key, which is a sensitive token object", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const oct = randomBytes(32);
    const imported = await fx.request("PUT", "/keys/imported-rsa", { key: { ...jwk, kty: "RSA-HSM" } });
    assert.equal(imported.status, 200, imported.text);
    const importedOct = await fx.request("PUT", "/keys/imported-aes", {
      key: { kty: "oct-HSM", k: b64u(oct) },
    });
    assert.equal(importedOct.status, 200, importedOct.text);
    const digest = createHash("sha256").update("imported").digest();
    const signed = await fx.request("POST", "/keys/imported-rsa/sign", { alg: "RS256", value: b64u(digest) });
    assert.ok(
      verify("sha256", Buffer.from("imported"), publicKey, Buffer.from(signed.json.value, "base64url")),
    );
    const version = (imported.json.key.kid as string).split("/").at(-1);
    const object = listTokenObjects(token).find((candidate) => candidate.label === `imported-rsa/${version}`);
    assert.match(object?.text ?? "", /Access:\s+.*sensitive/);
    // Neither imported secret is anywhere in the data directory (database, WAL, audit log, key files).
    const secrets = [
      oct,
      Buffer.from(jwk.d as string, "base64url"),
      Buffer.from(jwk.p as string, "base64url"),
    ];
    for (const file of await filesUnder(fx.server.dataDir)) {
      const content = await readFile(file);
      for (const secret of secrets) {
        for (const spelling of [
          secret,
          Buffer.from(secret.toString("base64")),
          Buffer.from(b64u(secret)),
          Buffer.from(secret.toString("hex")),
        ]) {
          assert.equal(content.includes(spelling), false, `${file} holds no key material`);
        }
      }
    }
  });

  it("purging a key destroys its token objects (pkcs11-tool no longer finds them)", async () => {
    const label = `ec-p384/${versionOf("ec-p384")}`;
    assert.ok(listTokenObjects(token).some((object) => object.label === label));
    assert.equal((await fx.request("DELETE", "/keys/ec-p384")).status, 200);
    // Soft-deleted: recoverable, so still in the token.
    assert.ok(listTokenObjects(token).some((object) => object.label === label));
    const purged = await fx.request("DELETE", "/deletedkeys/ec-p384");
    assert.equal(purged.status, 204, purged.text);
    const { waitFor } = await import("../harness/wait-for.js");
    await waitFor(() => !listTokenObjects(token).some((object) => object.label === label), {
      what: "the purged key's token object to be destroyed",
      timeoutMs: 10_000,
    });
    assert.ok(
      listTokenObjects(token).some((object) => object.label === `ec-p256/${versionOf("ec-p256")}`),
      "other keys stay",
    );
  });
});
