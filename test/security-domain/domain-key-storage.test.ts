import assert from "node:assert/strict";
import { createPrivateKey, hkdfSync, randomBytes } from "node:crypto";
import { access, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { type SecurityDomainFile, parseSecurityDomainFile, recoverDomainKey } from "@mhsm/server";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import {
  type ServerProcess,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { type KeyHolder, makeKeyHolders } from "./support/key-holders.js";
import { call, downloadWithCli, uploadWithCli } from "./support/security-domain-calls.js";
import { openShareJwe } from "./support/share-jwe.js";
import { filesUnder } from "../harness/files.js";

const SEALED = ["--activation", "security-domain", "--domain-key-storage", "sealed"];
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Where the domain key lives between restarts. Sealed: never on disk; after every start the HSM
 * waits for its own security domain, and refuses anyone else's. The automatic default keeps a
 * key file and can hand its domain out once, as a security domain.
 */
describe("domain key storage: sealed, and the automatic default", () => {
  let dir: string;
  let holders: KeyHolder[];
  let sealed: ServerProcess;
  let auto: ServerProcess | undefined;
  const sdFile = () => join(dir, "sealed-sd.json");
  const autoSdFile = () => join(dir, "auto-sd.json");
  const plaintext = randomBytes(32);
  let encrypted: { value: string; iv: string; tag: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-sd-storage-"));
    holders = makeKeyHolders(dir, "holder", 3);
    sealed = await startServerProcess({ args: SEALED });
  });
  after(async () => {
    await sealed?.dispose();
    await auto?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("sealed: activates by download, serves keys, and never writes a domain key file", async () => {
    const downloaded = await downloadWithCli(
      sealed,
      holders.map((h) => h.certificate),
      sdFile(),
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    await assignRole(sealed, sealed.admin.objectId, ROLE.cryptoUser);
    await assignRole(sealed, sealed.admin.objectId, ROLE.cryptoOfficer);
    const token = await adminToken(sealed);
    assert.equal(
      (await call(sealed, token, "POST", "/keys/sealed-aes/create", { kty: "oct-HSM" })).status,
      200,
    );
    const response = await call(sealed, token, "POST", "/keys/sealed-aes/encrypt", {
      alg: "A256GCM",
      value: plaintext.toString("base64url"),
    });
    assert.equal(response.status, 200, response.text);
    encrypted = { value: response.json.value, iv: response.json.iv, tag: response.json.tag };
    assert.equal(await exists(join(sealed.dataDir, "domain.key")), false);
    assert.equal(await exists(join(sealed.dataDir, "node.key")), true);
  });

  it("sealed: after a restart it answers HsmNotActivated saying it is sealed, and refuses a new download", async () => {
    await sealed.stop();
    sealed = await startServerProcess({ dataDir: sealed.dataDir, args: SEALED });
    const token = await adminToken(sealed);
    const keys = await call(sealed, token, "GET", "/keys/sealed-aes");
    assert.equal(keys.status, 503, keys.text);
    assert.equal(keys.json.error.code, "HsmNotActivated");
    assert.match(keys.json.error.message, /sealed.*upload the security domain/);
    const again = await downloadWithCli(
      sealed,
      holders.map((h) => h.certificate),
      join(dir, "again.json"),
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /SecurityDomainAlreadyDownloaded: .*downloaded at/);
    assert.equal(await exists(join(dir, "again.json")), false);
    // The store remembers how the security domain came about.
    const pending = await call(sealed, token, "GET", "/securitydomain/download/pending");
    assert.equal(pending.json.status, "Success");
    assert.match(pending.json.status_details, /was downloaded at /);
  });

  it("auto (default): activated at start; its domain can be downloaded once, and backups name the same domain", async () => {
    auto = await startServerProcess();
    const token = await adminToken(auto);
    const downloaded = await downloadWithCli(
      auto,
      holders.map((h) => h.certificate),
      autoSdFile(),
      "3",
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.equal(JSON.parse(downloaded.stdout).status, "Success");
    // The domain key the file holds, recovered by a quorum, and the id a backup names it by
    // (docs/security-domain-format.md: hex of HKDF-SHA256(domain key, "", "mhsm domain key id v1", 16)).
    const recovered = await recoverDomainKey(
      parseSecurityDomainFile(JSON.parse(await readFile(autoSdFile(), "utf8"))),
      await Promise.all(
        holders.map(async (holder) => ({
          label: holder.privateKey,
          key: createPrivateKey(await readFile(holder.privateKey)),
        })),
      ),
    );
    const domainKeyId = Buffer.from(
      hkdfSync("sha256", recovered, Buffer.alloc(0), Buffer.from("mhsm domain key id v1"), 16),
    ).toString("hex");

    const root = join(auto.dataDir, "backups");
    await mkdir(root, { recursive: true });
    const accepted = await call(auto, token, "POST", "/backup", {
      storageResourceUri: pathToFileURL(root).href,
    });
    const done = await waitForJob(auto, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    const manifest = JSON.parse(
      await readFile(join(fileURLToPath(done.json.azureStorageBlobContainerUri), "manifest.json"), "utf8"),
    );
    assert.equal(manifest.domainKeyId, domainKeyId);

    const twice = await downloadWithCli(
      auto,
      holders.map((h) => h.certificate),
      join(dir, "twice.json"),
    );
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /SecurityDomainAlreadyDownloaded/);
    const upload = await uploadWithCli(
      auto,
      autoSdFile(),
      holders.map((h) => h.privateKey),
    );
    assert.equal(upload.code, 1);
    assert.match(upload.stderr, /HsmAlreadyActivated/);
  });

  it("sealed: refuses another HSM's security domain and stays sealed", async () => {
    const foreign = await uploadWithCli(
      sealed,
      autoSdFile(),
      holders.map((h) => h.privateKey),
    );
    assert.equal(foreign.code, 1);
    assert.match(
      foreign.stderr,
      /SecurityDomainMismatch: This HSM's contents are sealed under the domain key/,
    );
    const token = await adminToken(sealed);
    const pending = await call(sealed, token, "GET", "/securitydomain/upload/pending");
    assert.equal(pending.json.status, "Failed");
    assert.equal((await call(sealed, token, "GET", "/keys")).status, 503);
  });

  it("sealed: unseals with its own security domain, and the key decrypts what it encrypted before", async () => {
    const uploaded = await uploadWithCli(sealed, sdFile(), [
      (holders[2] as KeyHolder).privateKey,
      (holders[0] as KeyHolder).privateKey,
    ]);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    const token = await adminToken(sealed);
    const decrypted = await call(sealed, token, "POST", "/keys/sealed-aes/decrypt", {
      alg: "A256GCM",
      ...encrypted,
    });
    assert.equal(decrypted.status, 200, decrypted.text);
    assert.deepEqual(Buffer.from(decrypted.json.value, "base64url"), plaintext);
    assert.equal(await exists(join(sealed.dataDir, "domain.key")), false);
  });

  it("sealed: neither the domain key nor a share is in the data directory, the audit log or the output", async () => {
    // Stop first, so the database has written everything (its WAL included) to its files.
    await sealed.stop();
    const parsed = parseSecurityDomainFile(JSON.parse(await readFile(sdFile(), "utf8")));
    assert.equal(parsed.format, "azure");
    const privateKeys = await Promise.all(
      holders.map(async (holder) => ({
        label: holder.privateKey,
        key: createPrivateKey(await readFile(holder.privateKey)),
      })),
    );
    const domainKey = await recoverDomainKey(parsed, privateKeys);
    const secrets: Array<[string, Buffer]> = [["the domain key", domainKey]];
    for (const [index, share] of (parsed.file as SecurityDomainFile).SharedKeys.enc_shares.entries()) {
      const { plaintext: bytes } = openShareJwe(
        share.enc_key,
        await readFile((holders[index] as KeyHolder).privateKey),
      );
      secrets.push([`share ${index + 1}`, bytes]);
    }
    const places: Array<[string, Buffer]> = [["the server's output", Buffer.from(sealed.output())]];
    for (const path of await filesUnder(sealed.dataDir)) places.push([path, await readFile(path)]);
    // With the embedded SQLite store the database is among these files (not with PostgreSQL).
    assert.ok(
      places.some(([path]) => path.endsWith("audit.log")),
      "the audit log is among the files",
    );
    for (const [where, bytes] of places) {
      for (const [what, secret] of secrets) {
        for (const spelling of [
          secret,
          ...(["hex", "base64", "base64url"] as const).map((e) => Buffer.from(secret.toString(e))),
        ]) {
          assert.ok(!bytes.includes(spelling), `${what} found in ${where}`);
        }
      }
    }
  });

  it("refuses to start sealed beside a domain key file, and sealed storage without security-domain activation", async () => {
    await (auto as ServerProcess).stop();
    const withKeyFile = await runServeExpectingFailure([
      "--data-dir",
      (auto as ServerProcess).dataDir,
      ...SEALED,
    ]);
    assert.equal(withKeyFile.code, 1);
    assert.match(withKeyFile.stderr, /the domain key storage is sealed, but .*domain\.key exists/);
    const sealedAuto = await runServeExpectingFailure([
      "--data-dir",
      join(dir, "never"),
      "--domain-key-storage",
      "sealed",
    ]);
    assert.equal(sealedAuto.code, 2);
    assert.match(sealedAuto.stderr, /domainKeyStorage 'sealed' needs activation 'security-domain'/);
    const badMode = await runServeExpectingFailure([
      "--data-dir",
      join(dir, "never"),
      "--activation",
      "manual",
    ]);
    assert.equal(badMode.code, 2);
    assert.match(badMode.stderr, /activation/);
  });
});
