import assert from "node:assert/strict";
import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { waitForJob } from "../harness/jobs.js";
import {
  type SoftHsmToken,
  createSoftHsmToken,
  listTokenObjects,
  pkcs11ServeOptions,
} from "../harness/softhsm.js";
import { waitFor } from "../harness/wait-for.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { opensslVerifies, p1363ToDer } from "../keys/support/openssl.js";
import { filesUnder } from "../harness/files.js";

const b64u = (bytes: Buffer) => bytes.toString("base64url");

/**
 * A full backup (the long-running job) on the pkcs11 backend: token keys travel in it only in
 * their token-wrapped form, and a full restore after the keys were purged (their token objects
 * destroyed) brings them back: at first use each is unwrapped into the token again as a
 * sensitive object, and it signs and decrypts as before (OpenSSL checks the signature).
 */
describe("pkcs11 backend: full backup and restore", () => {
  let token: SoftHsmToken;
  let fx: KeysFixture;
  let backupRoot: string;
  let folder = "";
  let ecPublicPem = "";
  const plaintext = randomBytes(40);
  let sealed: { value: string; iv: string; tag: string };
  const imported = randomBytes(32);

  before(async () => {
    backupRoot = await mkdtemp(join(tmpdir(), "mhsm-p11-full-backup-"));
    token = createSoftHsmToken("mhsm-full");
    const options = pkcs11ServeOptions(token);
    fx = await startKeysServer({ ...options, args: [...options.args, "--local-backup-root", backupRoot] });
  });
  after(async () => {
    await fx?.dispose();
    token?.remove();
    if (backupRoot) await rm(backupRoot, { recursive: true, force: true });
  });

  it("backs up the HSM with its token keys wrapped: no key value in any backup file", async () => {
    const ec = await fx.request("POST", "/keys/full-ec/create", { kty: "EC-HSM", crv: "P-256" });
    assert.equal(ec.status, 200, ec.text);
    ecPublicPem = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: ec.json.key.x, y: ec.json.key.y },
      format: "jwk",
    }).export({ type: "spki", format: "pem" }) as string;
    const aes = await fx.request("PUT", "/keys/full-aes", {
      key: { kty: "oct-HSM", k: b64u(imported), key_ops: ["encrypt", "decrypt"] },
    });
    assert.equal(aes.status, 200, aes.text);
    const encrypted = await fx.request("POST", "/keys/full-aes/encrypt", {
      alg: "A256GCM",
      value: b64u(plaintext),
    });
    assert.equal(encrypted.status, 200, encrypted.text);
    sealed = { value: encrypted.json.value, iv: encrypted.json.iv, tag: encrypted.json.tag };

    const backup = await fx.request("POST", "/backup", {
      storageResourceUri: pathToFileURL(backupRoot).href,
    });
    assert.equal(backup.status, 202, backup.text);
    const done = await waitForJob(fx.server, fx.token, backup);
    assert.equal(done.json.status, "Succeeded", done.text);
    folder = String(done.json.azureStorageBlobContainerUri).split("/").pop() as string;
    const files = await filesUnder(backupRoot);
    assert.ok(files.length > 1, "the backup wrote its chunks and manifest");
    for (const file of files) {
      const content = await readFile(file);
      for (const spelling of [
        imported,
        Buffer.from(b64u(imported)),
        Buffer.from(imported.toString("base64")),
      ]) {
        assert.equal(content.includes(spelling), false, `${file} holds no imported key value`);
      }
    }
  });

  it("a full restore after a purge brings the keys back into the token, where they work as before", async () => {
    assert.ok(folder, "the backup above ran");
    for (const name of ["full-ec", "full-aes"]) {
      assert.equal((await fx.request("DELETE", `/keys/${name}`)).status, 200);
      assert.equal((await fx.request("DELETE", `/deletedkeys/${name}`)).status, 204);
    }
    await waitFor(() => !listTokenObjects(token).some((object) => object.label.startsWith("full-")), {
      what: "the purged keys' token objects to be destroyed",
      timeoutMs: 20_000,
    });

    const restore = await fx.request("PUT", "/restore", {
      sasTokenParameters: { storageResourceUri: pathToFileURL(backupRoot).href },
      folderToRestore: folder,
    });
    assert.equal(restore.status, 202, restore.text);
    const restored = await waitForJob(fx.server, fx.token, restore);
    assert.equal(restored.json.status, "Succeeded", restored.text);

    const opened = await fx.request("POST", "/keys/full-aes/decrypt", { alg: "A256GCM", ...sealed });
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.json.value, b64u(plaintext));
    const digest = createHash("sha256").update("signed after the restore").digest();
    const signed = await fx.request("POST", "/keys/full-ec/sign", { alg: "ES256", value: b64u(digest) });
    assert.equal(signed.status, 200, signed.text);
    assert.ok(
      opensslVerifies(
        (dir) => [
          "dgst",
          "-sha256",
          "-verify",
          `${dir}/pub.pem`,
          "-signature",
          `${dir}/sig.der`,
          `${dir}/data`,
        ],
        {
          "pub.pem": ecPublicPem,
          "sig.der": p1363ToDer(Buffer.from(signed.json.value, "base64url")),
          data: Buffer.from("signed after the restore"),
        },
      ),
      "OpenSSL verifies the restored key's signature against the key published before the backup",
    );
    const objects = listTokenObjects(token).filter((object) => object.label.startsWith("full-"));
    assert.ok(objects.length >= 2, "the restored keys are objects in the token again");
    for (const object of objects) assert.match(object.text, /Access:\s+.*sensitive/);
  });
});
