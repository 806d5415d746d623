import assert from "node:assert/strict";
import { createHash, createPublicKey, randomBytes, randomUUID, verify } from "node:crypto";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { waitForJob } from "../harness/jobs.js";
import { type TestPrincipal, adminToken, createPrincipal, tokenFor } from "../harness/principals.js";
import { type InitialAdmin, type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { type KeyHolder, encryptPrivateKey, makeKeyHolders } from "./support/key-holders.js";
import { call, downloadWithCli, uploadWithCli } from "./support/security-domain-calls.js";

const ACTIVATION_MODE = ["--activation", "security-domain"];
const ROLE_ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";

/** Only the secret: the token comes from B's identity provider, not from A's token endpoint. */
const credentialsOf = ({ clientId, clientSecret }: { clientId: string; clientSecret: string }) => ({
  clientId,
  clientSecret,
});

interface Assignment {
  name: string;
  properties: { scope: string; principalId: string; roleDefinitionId: string };
}

/**
 * The drill, with real parts: HSM A (activation mode) is activated by downloading its
 * security domain with the mhsm CLI, gets keys and role assignments and is backed up to
 * Azurite; A is destroyed. HSM B, new and in activation mode, takes A's security domain from a
 * quorum of key holders (after refusing too few and the wrong ones), restores A's backup, and
 * then everything A had works on B.
 */
describe("security domain drill: A's keys and role assignments come back on a new HSM B", () => {
  let dir: string;
  let holders: KeyHolder[];
  let strangers: KeyHolder[];
  let azurite: Azurite;
  let containerUrl: string;
  let sas: string;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  let aAdmin: InitialAdmin;
  let app: TestPrincipal;
  let sdFile: string;
  let backupFolderUrl: string;
  let assignmentsOnA: Assignment[];
  const customRole = randomUUID();
  const digest = createHash("sha256").update("signed on HSM A").digest();
  const plaintext = randomBytes(32);
  const made: {
    signature?: string;
    rsaCiphertext?: string;
    aes?: { value: string; iv: string; tag: string };
  } = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-sd-drill-"));
    holders = makeKeyHolders(dir, "holder", 3);
    strangers = makeKeyHolders(dir, "stranger", 2);
    sdFile = join(dir, "sd.json");
    azurite = await startAzurite();
    containerUrl = await azurite.createContainer("drill");
    sas = azurite.sas("drill");
    a = await startServerProcess({ args: ACTIVATION_MODE });
    aAdmin = a.admin;
  });
  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await azurite?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("A answers HsmNotActivated until `mhsm security-domain download` activates it", async () => {
    const server = a as ServerProcess;
    const token = await adminToken(server);
    const before = await call(server, token, "GET", "/keys");
    assert.equal(before.status, 503, before.text);
    assert.equal(before.json.error.code, "HsmNotActivated");
    assert.match(before.json.error.message, /download its security domain/);

    const downloaded = await downloadWithCli(
      server,
      holders.map((h) => h.certificate),
      sdFile,
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.deepEqual(JSON.parse(downloaded.stdout), {
      status: "Success",
      securityDomainFile: sdFile,
      shares: 3,
      required: 2,
    });
    const file = JSON.parse(await readFile(sdFile, "utf8"));
    assert.equal(file.SharedKeys.key_algorithm, "shamir_share");
    assert.equal(file.SharedKeys.required, 2);
    // Activated: the Administrator now gets an answer from the keys routes (403: no key role).
    const after = await call(server, token, "GET", "/keys");
    assert.equal(after.status, 403, after.text);
  });

  it("A gets keys, a signature, ciphertexts and role assignments, and is backed up to Azurite", async () => {
    const server = a as ServerProcess;
    await assignRole(server, aAdmin.objectId, ROLE.cryptoUser);
    await assignRole(server, aAdmin.objectId, ROLE.cryptoOfficer);
    const token = await adminToken(server);
    const created = await call(server, token, "POST", "/keys/drill-rsa/create", {
      kty: "RSA",
      key_size: 2048,
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(
      (await call(server, token, "POST", "/keys/drill-aes/create", { kty: "oct-HSM", key_size: 256 })).status,
      200,
    );
    const signed = await call(server, token, "POST", "/keys/drill-rsa/sign", {
      alg: "RS256",
      value: digest.toString("base64url"),
    });
    assert.equal(signed.status, 200, signed.text);
    made.signature = signed.json.value;
    const rsa = await call(server, token, "POST", "/keys/drill-rsa/encrypt", {
      alg: "RSA-OAEP-256",
      value: plaintext.toString("base64url"),
    });
    made.rsaCiphertext = rsa.json.value;
    const aes = await call(server, token, "POST", "/keys/drill-aes/encrypt", {
      alg: "A256GCM",
      value: plaintext.toString("base64url"),
    });
    assert.equal(aes.status, 200, aes.text);
    made.aes = { value: aes.json.value, iv: aes.json.iv, tag: aes.json.tag };

    const role = await call(server, token, "PUT", `${ROLE_DEFINITIONS}/${customRole}`, {
      properties: {
        roleName: "drill key reader",
        permissions: [{ dataActions: ["Microsoft.KeyVault/managedHsm/keys/read/action"] }],
      },
    });
    assert.equal(role.status, 201, role.text);
    app = await createPrincipal(server, "drill-app");
    await assignRole(server, app.objectId, ROLE.cryptoUser, "/keys/drill-rsa");
    await assignRole(server, app.objectId, customRole);
    assignmentsOnA = (await call(server, token, "GET", ROLE_ASSIGNMENTS)).json.value;
    assert.ok(assignmentsOnA.length >= 5, `A has its assignments: ${JSON.stringify(assignmentsOnA)}`);

    const accepted = await call(server, token, "POST", "/backup", {
      storageResourceUri: containerUrl,
      token: sas,
    });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    backupFolderUrl = done.json.azureStorageBlobContainerUri;
  });

  it("A is destroyed; B refuses uploads with too few shares or the wrong keys, and stays not activated", async () => {
    await (a as ServerProcess).dispose();
    await assert.rejects(access((a as ServerProcess).dataDir));
    a = undefined;
    b = await startServerProcess({ args: ACTIVATION_MODE });

    const tooFew = await uploadWithCli(b, sdFile, [(holders[0] as KeyHolder).privateKey]);
    assert.equal(tooFew.code, 1);
    assert.match(tooFew.stderr, /needs 2 of its 3 wrapping keys; 1 was given/);
    const wrong = await uploadWithCli(
      b,
      sdFile,
      strangers.map((s) => s.privateKey),
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /stranger1\.key is not one of this security domain's wrapping keys/);
    const token = await adminToken(b);
    const keys = await call(b, token, "GET", "/keys");
    assert.equal(keys.status, 503);
    assert.equal(keys.json.error.code, "HsmNotActivated");
    // Nothing reached the server: no upload was started.
    assert.equal((await call(b, token, "GET", "/securitydomain/upload/pending")).status, 404);
  });

  it("B takes A's security domain from a quorum (one key encrypted), then restores A's backup", async () => {
    const server = b as ServerProcess;
    const encrypted = encryptPrivateKey(holders[1] as KeyHolder, "holder two's password");
    const uploaded = await uploadWithCli(
      server,
      sdFile,
      [encrypted, (holders[2] as KeyHolder).privateKey],
      ["holder two's password"],
    );
    assert.equal(uploaded.code, 0, uploaded.stderr);
    assert.equal(JSON.parse(uploaded.stdout).status, "Success");
    const token = await adminToken(server);
    const pending = await call(server, token, "GET", "/securitydomain/upload/pending");
    assert.deepEqual(pending.json, {
      status: "Success",
      status_details: "The security domain was uploaded; the HSM is activated.",
    });

    const cut = backupFolderUrl.lastIndexOf("/");
    const restore = await call(server, token, "PUT", "/restore", {
      sasTokenParameters: { storageResourceUri: backupFolderUrl.slice(0, cut), token: sas },
      folderToRestore: backupFolderUrl.slice(cut + 1),
    });
    assert.equal(restore.status, 202, restore.text);
    const restored = await waitForJob(server, token, restore);
    assert.equal(restored.json.status, "Succeeded", restored.text);
  });

  it("on B every key works (A's signature verifies, A's ciphertexts decrypt) and the role assignments are back", async () => {
    const server = b as ServerProcess;
    // A's administrator came with the backup, with its roles.
    const token = await tokenFor(server, credentialsOf(aAdmin));
    const verified = await call(server, token, "POST", "/keys/drill-rsa/verify", {
      alg: "RS256",
      digest: digest.toString("base64url"),
      value: made.signature,
    });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.value, true);
    const key = await call(server, token, "GET", "/keys/drill-rsa");
    const publicKey = createPublicKey({
      key: { kty: "RSA", n: key.json.key.n, e: key.json.key.e },
      format: "jwk",
    });
    assert.ok(
      verify(
        "sha256",
        Buffer.from("signed on HSM A"),
        publicKey,
        Buffer.from(made.signature as string, "base64url"),
      ),
      "A's signature verifies with B's public key",
    );

    const rsa = await call(server, token, "POST", "/keys/drill-rsa/decrypt", {
      alg: "RSA-OAEP-256",
      value: made.rsaCiphertext,
    });
    assert.equal(rsa.status, 200, rsa.text);
    assert.deepEqual(Buffer.from(rsa.json.value, "base64url"), plaintext);
    const aes = await call(server, token, "POST", "/keys/drill-aes/decrypt", { alg: "A256GCM", ...made.aes });
    assert.equal(aes.status, 200, aes.text);
    assert.deepEqual(Buffer.from(aes.json.value, "base64url"), plaintext);

    const assignmentsOnB: Assignment[] = (
      await call(server, await adminToken(server), "GET", ROLE_ASSIGNMENTS)
    ).json.value;
    for (const assignment of assignmentsOnA) {
      assert.ok(
        assignmentsOnB.some(
          (other) => other.name === assignment.name && other.properties.scope === assignment.properties.scope,
        ),
        `assignment ${assignment.name} at ${assignment.properties.scope} is back`,
      );
    }
    assert.equal((await call(server, token, "GET", `${ROLE_DEFINITIONS}/${customRole}`)).status, 200);
    // A's application signs in on B and uses the key its assignment covers.
    const appToken = await tokenFor(server, credentialsOf(app));
    const appSigns = await call(server, appToken, "POST", "/keys/drill-rsa/sign", {
      alg: "RS256",
      value: digest.toString("base64url"),
    });
    assert.equal(appSigns.status, 200, appSigns.text);
  });

  it("B refuses another upload: it is activated", async () => {
    const again = await uploadWithCli(
      b as ServerProcess,
      sdFile,
      holders.slice(0, 2).map((h) => h.privateKey),
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /HsmAlreadyActivated/);
  });
});
