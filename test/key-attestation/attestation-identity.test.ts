import assert from "node:assert/strict";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { createDatabase, databaseNameFor } from "../harness/postgres.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { grantAdminKeyRoles } from "../keys/support/roles.js";
import { pemCertificates } from "./support/attestation-openssl.js";

/**
 * The HSM's attestation identity: made once, even when the first requests come together; the
 * same after a restart and after a full restore (which brings keys back, with their origin, but
 * not an identity); and its private key nowhere in plain text — not in the database (or any file
 * of the data directory), not in the server's output, not in a full or single-key backup.
 */
describe("the HSM's attestation identity", () => {
  let server: ServerProcess;
  let token: string;
  let backupRoot: string;

  const attestationOf = async (name: string) => {
    const response = await rawRequest(server, { path: `/keys/${name}/attestation?api-version=7.6`, token });
    assert.equal(response.status, 200, response.text);
    return pemCertificates(Buffer.from(response.json.attributes.attestation.certificatePemFile, "base64url"));
  };

  before(async () => {
    backupRoot = await mkdtemp(join(tmpdir(), "mhsm-attestation-backups-"));
    await mkdir(backupRoot, { recursive: true, mode: 0o700 });
    server = await startServerProcess({ args: ["--local-backup-root", backupRoot] });
    await grantAdminKeyRoles(server);
    token = await adminToken(server);
    const imported = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const put = await rawRequest(server, {
      method: "PUT",
      path: "/keys/id-imported?api-version=7.6",
      token,
      body: { key: { ...imported, kty: "EC-HSM", key_ops: ["sign", "verify"] } },
    });
    assert.equal(put.status, 200, put.text);
    for (const [name, body] of [
      ["id-rsa", { kty: "RSA", key_size: 2048 }],
      ["id-ec", { kty: "EC", crv: "P-256" }],
      ["id-oct", { kty: "oct", key_size: 256 }],
    ] as const) {
      const created = await rawRequest(server, {
        method: "POST",
        path: `/keys/${name}/create?api-version=7.6`,
        token,
        body,
      });
      assert.equal(created.status, 200, created.text);
    }
  });
  after(async () => {
    await server?.dispose();
    if (backupRoot) await rm(backupRoot, { recursive: true, force: true });
  });

  let chain: string[] = [];
  let backupFolder = "";

  it("is made once: the first requests, sent together, all get the same chain", async () => {
    const chains = await Promise.all(
      ["id-rsa", "id-ec", "id-oct", "id-rsa", "id-ec", "id-oct"].map((name) => attestationOf(name)),
    );
    chain = chains[0] as string[];
    assert.equal(chain.length, 2);
    for (const other of chains) assert.deepEqual(other, chain);
    const [leaf, root] = chain.map((pem) => new X509Certificate(pem)) as [X509Certificate, X509Certificate];
    assert.ok(root.ca && !leaf.ca);
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey));
  });

  it("keeps its private key out of the database, the data directory, the output and backups", async () => {
    // The attestation key's modulus is in its private key in every usual encoding (PKCS#8 PEM
    // or DER, JWK): where the modulus is not, the private key is not either. The certificate
    // holding it is sealed with the rest of the identity.
    const leaf = new X509Certificate(chain[0] as string);
    const modulus = Buffer.from(leaf.publicKey.export({ format: "jwk" }).n as string, "base64url");
    const needles = encodingsOf(modulus.subarray(40, 100));

    const backup = await rawRequest(server, {
      method: "POST",
      path: "/backup?api-version=7.6",
      token,
      body: { storageResourceUri: pathToFileURL(backupRoot).href },
    });
    assert.equal(backup.status, 202, backup.text);
    const backedUp = await waitForJob(server, token, backup);
    assert.equal(backedUp.json.status, "Succeeded", backedUp.text);
    backupFolder = String(backedUp.json.azureStorageBlobContainerUri).split("/").pop() as string;
    const keyBackup = await rawRequest(server, {
      method: "POST",
      path: "/keys/id-rsa/backup?api-version=7.6",
      token,
    });
    assert.equal(keyBackup.status, 200, keyBackup.text);

    const haystacks: Array<[string, Buffer]> = [
      ["server output", Buffer.from(server.output())],
      ["single-key backup", Buffer.from(keyBackup.text)],
      ...(await filesUnder(server.dataDir)),
      ...(await filesUnder(backupRoot)),
      ...(await postgresTables(server.dataDir)),
    ];
    assert.ok(haystacks.length > 3);
    for (const [where, bytes] of haystacks) {
      for (const needle of needles) assert.ok(!bytes.includes(needle), `the attestation key is in ${where}`);
      assert.ok(!bytes.includes("PRIVATE KEY-----"), `a PEM private key is in ${where}`);
    }
    // And the check can see the modulus where it is in plain text: the certificate itself.
    const der = Buffer.from(leaf.raw);
    assert.ok(encodingsOf(modulus.subarray(40, 100)).some((needle) => der.includes(needle)));
  });

  it("a full restore keeps the HSM's identity and each key's origin", async () => {
    assert.ok(backupFolder, "the backup above ran");
    const origin = async (name: string) => {
      const response = await rawRequest(server, { path: `/keys/${name}/attestation?api-version=7.6`, token });
      assert.equal(response.status, 200, response.text);
      const blob = Buffer.from(
        response.json.attributes.attestation.privateKeyAttestation,
        "base64url",
      ).toString();
      return JSON.parse(Buffer.from(blob.split(".")[1] as string, "base64url").toString()).origin as string;
    };
    assert.equal(await origin("id-imported"), "imported");
    // The HSM changes after the backup: the imported key is deleted and purged.
    const deleted = await rawRequest(server, {
      method: "DELETE",
      path: "/keys/id-imported?api-version=7.6",
      token,
    });
    assert.equal(deleted.status, 200, deleted.text);
    const purged = await rawRequest(server, {
      method: "DELETE",
      path: "/deletedkeys/id-imported?api-version=7.6",
      token,
    });
    assert.equal(purged.status, 204, purged.text);
    const restore = await rawRequest(server, {
      method: "PUT",
      path: "/restore?api-version=7.6",
      token,
      body: {
        sasTokenParameters: { storageResourceUri: pathToFileURL(backupRoot).href },
        folderToRestore: backupFolder,
      },
    });
    assert.equal(restore.status, 202, restore.text);
    const restored = await waitForJob(server, token, restore);
    assert.equal(restored.json.status, "Succeeded", restored.text);
    assert.equal(await origin("id-imported"), "imported");
    assert.equal(await origin("id-ec"), "generated");
    assert.deepEqual(await attestationOf("id-imported"), chain);
  });

  it("survives a restart: the same chain, and no new root", async () => {
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir, args: ["--local-backup-root", backupRoot] });
    token = await adminToken(server);
    assert.deepEqual(await attestationOf("id-ec"), chain);
  });
});

/** A byte string as raw bytes, hex, and base64/base64url at each of the three alignments. */
function encodingsOf(bytes: Buffer): Buffer[] {
  const found = [bytes, Buffer.from(bytes.toString("hex")), Buffer.from(bytes.toString("hex").toUpperCase())];
  for (let shift = 0; shift < 3; shift += 1) {
    const aligned = bytes.subarray(shift);
    // Drop the last characters: they depend on the bytes that follow in the larger encoding.
    const b64 = aligned.toString("base64").slice(0, -4);
    found.push(Buffer.from(b64), Buffer.from(aligned.toString("base64url").slice(0, -4)));
  }
  return found;
}

async function filesUnder(dir: string): Promise<Array<[string, Buffer]>> {
  const entries = await readdir(dir, { recursive: true });
  const files: Array<[string, Buffer]> = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) files.push([path, await readFile(path)]);
  }
  return files;
}

/** On the PostgreSQL pass, every table of the server's database as text. */
async function postgresTables(dataDir: string): Promise<Array<[string, Buffer]>> {
  const cluster = process.env.MHSM_TEST_POSTGRES_URL;
  if (!cluster) return [];
  const client = new pg.Client({ connectionString: await createDatabase(cluster, databaseNameFor(dataDir)) });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const dumps: Array<[string, Buffer]> = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      dumps.push([`table ${table}`, Buffer.from(rows.rows.map((r: { row: string }) => r.row).join("\n"))]);
    }
    assert.ok(dumps.some(([name]) => name === "table meta"));
    return dumps;
  } finally {
    await client.end();
  }
}
