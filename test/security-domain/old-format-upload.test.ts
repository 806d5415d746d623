import assert from "node:assert/strict";
import { createHash, createPrivateKey, createPublicKey, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseSecurityDomainFile, recoverDomainKey } from "@mhsm/server";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { legacyUploadBlob } from "./support/legacy-upload-blob.js";
import { call, uploadWithCli, waitForOperation } from "./support/security-domain-calls.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "mhsm-1.0");
const holderKey = (n: number) => join(FIXTURE, `holder${n}.key`);

interface SignedKey {
  keyName: string;
  message: string;
  signatureRS256: string;
  publicKey: { kty: string; n: string; e: string };
  keyBackup: string;
}

/**
 * A security domain mhsm wrote in its own format 1.0, before it switched to Azure's
 * (fixtures/mhsm-1.0, made by the real server and CLI of that time): the CLI still uploads it,
 * and the server still opens an upload blob in that format. Either way the HSM gets the same
 * domain key: the key backup made on the old HSM restores, and its signature verifies.
 */
describe("security domains in mhsm's earlier format 1.0 still upload", () => {
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const server of servers) await server.dispose();
  });

  async function expectTheOldHsmsKey(server: ServerProcess) {
    const signed = JSON.parse(await readFile(join(FIXTURE, "signed-key.json"), "utf8")) as SignedKey;
    await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
    await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
    const token = await adminToken(server);
    const restored = await call(server, token, "POST", "/keys/restore", { value: signed.keyBackup });
    assert.equal(restored.status, 200, restored.text);
    const verified = await call(server, token, "POST", `/keys/${signed.keyName}/verify`, {
      alg: "RS256",
      digest: createHash("sha256").update(signed.message).digest("base64url"),
      value: signed.signatureRS256,
    });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.value, true);
    const publicKey = createPublicKey({ key: signed.publicKey, format: "jwk" });
    assert.ok(
      verify(
        "sha256",
        Buffer.from(signed.message),
        publicKey,
        Buffer.from(signed.signatureRS256, "base64url"),
      ),
    );
  }

  it("`mhsm security-domain upload` reads the old file and activates a new HSM with its domain", async () => {
    const server = await startServerProcess({ args: ["--activation", "security-domain"] });
    servers.push(server);
    const wrong = await uploadWithCli(server, join(FIXTURE, "security-domain.json"), [holderKey(1)]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /needs 2 of its 3 wrapping keys; 1 was given/);
    const uploaded = await uploadWithCli(server, join(FIXTURE, "security-domain.json"), [
      holderKey(1),
      holderKey(3),
    ]);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    assert.equal(JSON.parse(uploaded.stdout).status, "Success");
    await expectTheOldHsmsKey(server);
  });

  it("the server opens an upload blob in the old format (as an earlier mhsm CLI sent it)", async () => {
    const server = await startServerProcess({ args: ["--activation", "security-domain"] });
    servers.push(server);
    const file = JSON.parse(await readFile(join(FIXTURE, "security-domain.json"), "utf8"));
    const parsed = parseSecurityDomainFile(file);
    assert.equal(parsed.format, "mhsm-1.0");
    const domainKey = await recoverDomainKey(
      parsed,
      await Promise.all(
        [2, 3].map(async (n) => ({
          label: `holder${n}`,
          key: createPrivateKey(await readFile(holderKey(n))),
        })),
      ),
    );
    const token = await adminToken(server);
    const transfer = await call(server, token, "GET", "/securitydomain/upload");
    const transferKey = JSON.parse(transfer.json.transfer_key);
    const blob = legacyUploadBlob({ domainKey, domainKeyId: file.domain_key_id, transferKey });

    // Changed after it was made: refused, and the HSM stays as it was.
    const changed = JSON.parse(blob);
    const parts = changed.EncData.data[0].compact_jwe.split(".");
    parts[4] = Buffer.alloc(16).toString("base64url");
    changed.EncData.data[0].compact_jwe = parts.join(".");
    const refused = await call(server, token, "POST", "/securitydomain/upload", {
      value: JSON.stringify(changed),
    });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error.code, "InvalidSecurityDomain");
    assert.match(refused.json.error.message, /failed authentication/);
    assert.equal((await call(server, token, "GET", "/keys")).json.error.code, "HsmNotActivated");

    const accepted = await call(server, token, "POST", "/securitydomain/upload", { value: blob });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForOperation(server, token, accepted);
    assert.equal(done.json.status, "Success", done.text);
    await expectTheOldHsmsKey(server);
  });
});
