import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { adminToken } from "../harness/principals.js";
import {
  type ServerProcess,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";
import {
  type SoftHsmToken,
  createSoftHsmToken,
  listTokenObjects,
  pkcs11ServeOptions,
} from "../harness/softhsm.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { makeKeyHolders } from "../security-domain/support/key-holders.js";
import { call, downloadWithCli } from "../security-domain/support/security-domain-calls.js";

/** The one line of a key file: its header, then the key (in the clear or wrapped). */
const keyFileLine = async (dataDir: string, file: string) =>
  (await readFile(join(dataDir, file), "utf8")).trim();

async function canUseKeys(server: ServerProcess) {
  await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
  await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
}

/**
 * The root of trust in the token: domain.key and node.key hold their keys only wrapped by an AES
 * key the token made and will not let out (pkcs11-tool, an independent reader, says so); the HSM
 * restarts on them; without the token, or with another one, it refuses to start and says why.
 */
describe("pkcs11 backend: the root of trust lives in the token", () => {
  let token: SoftHsmToken;
  let dir: string;
  let server: ServerProcess | undefined;
  const plaintext = randomBytes(40);
  let encrypted: { value: string; iv: string; tag: string };

  before(async () => {
    token = createSoftHsmToken("mhsm-root");
    dir = await mkdtemp(join(tmpdir(), "mhsm-p11-root-"));
  });
  after(async () => {
    await server?.dispose();
    token?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps domain.key and node.key wrapped by a sensitive, never-extractable token key", async () => {
    server = await startServerProcess(pkcs11ServeOptions(token));
    for (const [file, header] of [
      ["domain.key", "mhsm-domain-key v1 "],
      ["node.key", "mhsm-node-key v1 "],
    ] as const) {
      const line = await keyFileLine(server.dataDir, file);
      assert.ok(line.startsWith(`${header}pkcs11 `), `${file} is wrapped: ${line.slice(0, 30)}`);
      // 12-byte IV, 32-byte key, 16-byte tag: the wrapped form, not a 32-byte key.
      assert.equal(Buffer.from(line.slice(`${header}pkcs11 `.length), "base64").length, 60);
    }
    const root = listTokenObjects(token).filter((object) => object.label === "mhsm root of trust");
    assert.equal(root.length, 1, "one root-of-trust key");
    const access = /Access:\s+(.*)/.exec(root[0]?.text ?? "")?.[1] ?? "";
    assert.match(access, /\bsensitive\b/);
    assert.match(access, /never extractable/);
    assert.doesNotMatch(access, /(^|, )extractable/);
    assert.throws(
      () => token.tool(["--read-object", "--type", "secrkey", "--label", "mhsm root of trust"]),
      /CKR_ATTRIBUTE_SENSITIVE/,
    );
  });

  it("restarts on the wrapped files: the keys sealed before still open", async () => {
    const running = server as ServerProcess;
    await canUseKeys(running);
    let bearer = await adminToken(running);
    assert.equal(
      (await call(running, bearer, "POST", "/keys/rot-aes/create", { kty: "oct-HSM" })).status,
      200,
    );
    const response = await call(running, bearer, "POST", "/keys/rot-aes/encrypt", {
      alg: "A256GCM",
      value: plaintext.toString("base64url"),
    });
    assert.equal(response.status, 200, response.text);
    encrypted = { value: response.json.value, iv: response.json.iv, tag: response.json.tag };
    await running.stop();
    server = await startServerProcess({ dataDir: running.dataDir, ...pkcs11ServeOptions(token) });
    bearer = await adminToken(server);
    const decrypted = await call(server, bearer, "POST", "/keys/rot-aes/decrypt", {
      alg: "A256GCM",
      ...encrypted,
    });
    assert.equal(decrypted.status, 200, decrypted.text);
    assert.equal(decrypted.json.value, plaintext.toString("base64url"));
  });

  it("refuses to start without the token (software backend) or with another token, naming the problem", async () => {
    const running = server as ServerProcess;
    await running.stop();
    const before = await keyFileLine(running.dataDir, "domain.key");
    const software = await runServeExpectingFailure(["--data-dir", running.dataDir]);
    assert.equal(software.code, 1);
    assert.match(
      software.stderr,
      /domain\.key holds the domain key wrapped by a PKCS#11 token's root-of-trust key: start with --hsm-backend pkcs11/,
    );
    const other = createSoftHsmToken("mhsm-other");
    try {
      const options = pkcs11ServeOptions(other);
      const wrong = await runServeExpectingFailure(
        ["--data-dir", running.dataDir, ...options.args],
        options.env,
      );
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /domain\.key was not wrapped by this token's root-of-trust key/);
    } finally {
      other.remove();
    }
    assert.equal(
      await keyFileLine(running.dataDir, "domain.key"),
      before,
      "the refused starts changed nothing",
    );
    server = await startServerProcess({ dataDir: running.dataDir, ...pkcs11ServeOptions(token) });
  });

  it("moves a software HSM's key files into the token's protection at its first pkcs11 start", async () => {
    const software = await startServerProcess();
    try {
      await canUseKeys(software);
      let bearer = await adminToken(software);
      assert.equal(
        (await call(software, bearer, "POST", "/keys/moved/create", { kty: "oct-HSM" })).status,
        200,
      );
      const sealed = await call(software, bearer, "POST", "/keys/moved/encrypt", {
        alg: "A256GCM",
        value: plaintext.toString("base64url"),
      });
      await software.stop();
      const clear = await keyFileLine(software.dataDir, "domain.key");
      assert.doesNotMatch(clear, / pkcs11 /);
      const moved = await startServerProcess({ dataDir: software.dataDir, ...pkcs11ServeOptions(token) });
      try {
        const wrapped = await keyFileLine(software.dataDir, "domain.key");
        assert.match(wrapped, /^mhsm-domain-key v1 pkcs11 /);
        assert.equal(
          wrapped.includes(clear.split(" ").at(-1) as string),
          false,
          "the clear key is gone from the file",
        );
        bearer = await adminToken(moved);
        const opened = await call(moved, bearer, "POST", "/keys/moved/decrypt", {
          alg: "A256GCM",
          value: sealed.json.value,
          iv: sealed.json.iv,
          tag: sealed.json.tag,
        });
        assert.equal(opened.json.value, plaintext.toString("base64url"));
      } finally {
        await moved.dispose();
      }
    } finally {
      await software.dispose();
    }
  });

  it("a security domain download writes the domain key only wrapped, and the HSM restarts activated", async () => {
    const holders = makeKeyHolders(dir, "holder", 3);
    const options = pkcs11ServeOptions(token);
    const waiting = await startServerProcess({
      args: [...options.args, "--activation", "security-domain"],
      env: options.env,
    });
    try {
      const downloaded = await downloadWithCli(
        waiting,
        holders.map((holder) => holder.certificate),
        join(dir, "sd.json"),
      );
      assert.equal(downloaded.code, 0, downloaded.stderr);
      assert.match(await keyFileLine(waiting.dataDir, "domain.key"), /^mhsm-domain-key v1 pkcs11 /);
      await waiting.stop();
      const again = await startServerProcess({
        dataDir: waiting.dataDir,
        args: [...options.args, "--activation", "security-domain"],
        env: options.env,
      });
      try {
        await canUseKeys(again);
        const created = await call(again, await adminToken(again), "POST", "/keys/after-sd/create", {
          kty: "oct-HSM",
        });
        assert.equal(created.status, 200, created.text);
      } finally {
        await again.stop();
      }
    } finally {
      await waiting.dispose();
    }
  });
});
