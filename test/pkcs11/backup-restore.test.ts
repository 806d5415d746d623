import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import {
  type SoftHsmToken,
  createSoftHsmToken,
  listTokenObjects,
  pkcs11ServeOptions,
} from "../harness/softhsm.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { makeKeyHolders } from "../security-domain/support/key-holders.js";
import { downloadWithCli, uploadWithCli } from "../security-domain/support/security-domain-calls.js";

const API = "api-version=7.5";
const b64u = (bytes: Buffer) => bytes.toString("base64url");

async function keysCall(server: ServerProcess, method: string, path: string, body?: unknown) {
  const token = await adminToken(server);
  return rawRequest(server, { method, path: `${path}?${API}`, token, body });
}

async function start(options: { args: string[]; env: Record<string, string> }): Promise<ServerProcess> {
  const server = await startServerProcess({
    args: [...options.args, "--activation", "security-domain"],
    env: options.env,
  });
  return server;
}

/**
 * Backups carry token keys only wrapped: a key backed up from one pkcs11-backed HSM restores
 * into another of the same security domain (its own token), which unwraps it into that token on
 * first use and works with it. A software-backed HSM of the same domain takes the blob but will
 * not use the key: it stays a hardware key (docs/pkcs11.md).
 */
describe("pkcs11 backend: single-key backup and restore between two tokens of one security domain", () => {
  let dir: string;
  let tokenA: SoftHsmToken;
  let tokenB: SoftHsmToken;
  let a: ServerProcess;
  let b: ServerProcess;
  let software: ServerProcess | undefined;
  const digest = createHash("sha256").update("made on A").digest();
  const plaintext = randomBytes(33);
  let signature = "";
  let sealed: { value: string; iv: string; tag: string };
  const blobs: Record<string, string> = {};
  let holders: ReturnType<typeof makeKeyHolders>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-p11-backup-"));
    tokenA = createSoftHsmToken("mhsm-a");
    tokenB = createSoftHsmToken("mhsm-b");
    holders = makeKeyHolders(dir, "holder", 3);
    a = await start(pkcs11ServeOptions(tokenA));
    const downloaded = await downloadWithCli(
      a,
      holders.map((holder) => holder.certificate),
      join(dir, "sd.json"),
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    for (const server of [a]) {
      await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
      await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
    }
  });
  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await software?.dispose();
    tokenA?.remove();
    tokenB?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it("backs up token keys from A", async () => {
    assert.equal(
      (await keysCall(a, "POST", "/keys/moving-rsa/create", { kty: "RSA-HSM", key_size: 2048 })).status,
      200,
    );
    assert.equal(
      (await keysCall(a, "POST", "/keys/moving-aes/create", { kty: "oct-HSM", key_size: 256 })).status,
      200,
    );
    signature = (await keysCall(a, "POST", "/keys/moving-rsa/sign", { alg: "PS256", value: b64u(digest) }))
      .json.value;
    const encrypted = await keysCall(a, "POST", "/keys/moving-aes/encrypt", {
      alg: "A256GCM",
      value: b64u(plaintext),
    });
    sealed = { value: encrypted.json.value, iv: encrypted.json.iv, tag: encrypted.json.tag };
    for (const name of ["moving-rsa", "moving-aes"]) {
      const backup = await keysCall(a, "POST", `/keys/${name}/backup`);
      assert.equal(backup.status, 200, backup.text);
      blobs[name] = backup.json.value;
    }
  });

  it("restores them into B (another token, the same security domain), which unwraps them into its token", async () => {
    b = await start(pkcs11ServeOptions(tokenB));
    const uploaded = await uploadWithCli(
      b,
      join(dir, "sd.json"),
      holders.slice(0, 2).map((holder) => holder.privateKey),
    );
    assert.equal(uploaded.code, 0, uploaded.stderr);
    await assignRole(b, b.admin.objectId, ROLE.cryptoUser);
    await assignRole(b, b.admin.objectId, ROLE.cryptoOfficer);
    const labelsBefore = listTokenObjects(tokenB).map((object) => object.label);
    assert.equal(
      labelsBefore.some((label) => label.startsWith("moving-")),
      false,
      "B's token has none of A's keys yet",
    );
    for (const name of ["moving-rsa", "moving-aes"]) {
      const restored = await keysCall(b, "POST", "/keys/restore", { value: blobs[name] });
      assert.equal(restored.status, 200, restored.text);
    }
    const verified = await keysCall(b, "POST", "/keys/moving-rsa/verify", {
      alg: "PS256",
      digest: b64u(digest),
      value: signature,
    });
    assert.equal(verified.json.value, true);
    const signedOnB = await keysCall(b, "POST", "/keys/moving-rsa/sign", {
      alg: "PS256",
      value: b64u(digest),
    });
    assert.equal(signedOnB.status, 200, signedOnB.text);
    const opened = await keysCall(b, "POST", "/keys/moving-aes/decrypt", { alg: "A256GCM", ...sealed });
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.json.value, b64u(plaintext));
    const objects = listTokenObjects(tokenB).filter((object) => object.label.startsWith("moving-"));
    assert.equal(objects.length, 2, "both keys are now objects in B's token");
    for (const object of objects) assert.match(object.text, /Access:\s+.*sensitive/);
  });

  it("a software-backed HSM of the same domain takes the blob but refuses to use a hardware key", async () => {
    software = await startServerProcess({ args: ["--activation", "security-domain"] });
    const uploaded = await uploadWithCli(
      software,
      join(dir, "sd.json"),
      holders.slice(1).map((holder) => holder.privateKey),
    );
    assert.equal(uploaded.code, 0, uploaded.stderr);
    await assignRole(software, software.admin.objectId, ROLE.cryptoUser);
    await assignRole(software, software.admin.objectId, ROLE.cryptoOfficer);
    assert.equal(
      (await keysCall(software, "POST", "/keys/restore", { value: blobs["moving-aes"] })).status,
      200,
    );
    const refused = await keysCall(software, "POST", "/keys/moving-aes/decrypt", {
      alg: "A256GCM",
      ...sealed,
    });
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.error.code, "HsmDeviceUnavailable");
    assert.match(
      refused.json.error.message,
      /lives in a PKCS#11 token, and this HSM runs --hsm-backend software/,
    );
  });
});
