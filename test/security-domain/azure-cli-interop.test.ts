import assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { type AzureCliResult, azureCli } from "./support/azure-cli.js";
import { type KeyHolder, makeKeyHolders } from "./support/key-holders.js";
import { call, downloadWithCli, uploadBlobWithCli, uploadWithCli } from "./support/security-domain-calls.js";

const ACTIVATION_MODE = ["--activation", "security-domain"];

/** A key made and used on one HSM: its backup, and a signature to verify where it comes back. */
interface SignedKey {
  backup: string;
  signature: string;
  publicKey: { kty: string; n: string; e: string };
}

async function signAndBackUp(server: ServerProcess, name: string, message: string): Promise<SignedKey> {
  await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
  await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
  const token = await adminToken(server);
  const created = await call(server, token, "POST", `/keys/${name}/create`, { kty: "RSA", key_size: 2048 });
  assert.equal(created.status, 200, created.text);
  const digest = createHash("sha256").update(message).digest("base64url");
  const signed = await call(server, token, "POST", `/keys/${name}/sign`, { alg: "RS256", value: digest });
  assert.equal(signed.status, 200, signed.text);
  const backup = await call(server, token, "POST", `/keys/${name}/backup`);
  assert.equal(backup.status, 200, backup.text);
  return {
    backup: backup.json.value,
    signature: signed.json.value,
    publicKey: { kty: "RSA", n: created.json.key.n, e: created.json.key.e },
  };
}

/**
 * The backup restores only on an HSM holding the same domain key; then the HSM verifies the
 * signature made before, and so does node:crypto with the key's public half.
 */
async function restoreAndVerify(server: ServerProcess, name: string, message: string, key: SignedKey) {
  await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
  await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
  const token = await adminToken(server);
  const restored = await call(server, token, "POST", "/keys/restore", { value: key.backup });
  assert.equal(restored.status, 200, restored.text);
  assert.equal(restored.json.key.n, key.publicKey.n);
  const digest = createHash("sha256").update(message).digest("base64url");
  const verified = await call(server, token, "POST", `/keys/${name}/verify`, {
    alg: "RS256",
    digest,
    value: key.signature,
  });
  assert.equal(verified.status, 200, verified.text);
  assert.equal(verified.json.value, true);
  const publicKey = createPublicKey({ key: key.publicKey, format: "jwk" });
  assert.ok(verify("sha256", Buffer.from(message), publicKey, Buffer.from(key.signature, "base64url")));
}

async function expectNotActivated(server: ServerProcess) {
  const keys = await call(server, await adminToken(server), "GET", "/keys");
  assert.equal(keys.status, 503, keys.text);
  assert.equal(keys.json.error.code, "HsmNotActivated");
}

function refusal(result: AzureCliResult) {
  assert.ok(result.error, `the server refused: ${JSON.stringify(result)}`);
  return { status: result.error.status, ...result.error.body.error };
}

/**
 * Microsoft's own code is the other side: the functions behind `az keyvault security-domain
 * download`, `init-recovery`, `restore-blob` and `upload --restore-blob`, from Debian's azure-cli,
 * run unchanged (python/azure_cli_security_domain.py). The security domain goes through them in
 * both directions, and a key backup made before each crossing restores after it, its signature
 * verifying: the domain key arrived intact.
 */
describe("the security domain round-trips through the Azure CLI's own code", () => {
  let dir: string;
  let holders: KeyHolder[];
  let stranger: KeyHolder;
  const servers: ServerProcess[] = [];
  const start = async () => {
    const server = await startServerProcess({ args: ACTIVATION_MODE });
    servers.push(server);
    return server;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-sd-azure-"));
    holders = makeKeyHolders(dir, "holder", 3);
    [stranger] = makeKeyHolders(dir, "stranger", 1) as [KeyHolder];
  });
  after(async () => {
    for (const server of servers) await server.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("mhsm download → az restore-blob and az upload → a new HSM with the same domain", async () => {
    const a = await start();
    const sdFile = join(dir, "from-mhsm.json");
    const downloaded = await downloadWithCli(
      a,
      holders.map((h) => h.certificate),
      sdFile,
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    const message = "signed on A, verified on B";
    const key = await signAndBackUp(a, "crossing-to-b", message);

    const b = await start();
    const exchangeKey = join(dir, "b-transfer-key.pem");
    await azureCli(b, "init-recovery", { exchangeKey });
    // Microsoft's reader: holder 1 and 3 decrypt their shares, recombine the master key, open
    // EncData and re-encrypt it for B's transfer key.
    const blob = join(dir, "for-b.json");
    await azureCli(b, "restore-blob", {
      file: sdFile,
      exchangeKey,
      privateKeys: [(holders[0] as KeyHolder).privateKey, (holders[2] as KeyHolder).privateKey],
      blob,
    });
    const made = JSON.parse(await readFile(blob, "utf8"));
    assert.deepEqual(Object.keys(made), ["EncData", "WrappedKey"]);
    assert.equal(made.EncData.kdf, "sp108_kdf");

    const uploaded = await azureCli(b, "upload-blob", { blob });
    assert.deepEqual(uploaded, {
      status: "Success",
      status_details: "The security domain was uploaded; the HSM is activated.",
    });
    await restoreAndVerify(b, "crossing-to-b", message, key);
  });

  it("refuses blobs Microsoft's code made for another key, changed, or with a cut tag, and stays not activated", async () => {
    const source = await start();
    const sdFile = join(dir, "refused.json");
    assert.equal((await downloadWithCli(source, [...holders.map((h) => h.certificate)], sdFile)).code, 0);
    const target = await start();
    const exchangeKey = join(dir, "target-transfer-key.pem");
    await azureCli(target, "init-recovery", { exchangeKey });
    const privateKeys = holders.slice(0, 2).map((h) => h.privateKey);
    const forTarget = join(dir, "for-target.json");
    const forStranger = join(dir, "for-stranger.json");
    await azureCli(target, "restore-blob", { file: sdFile, exchangeKey, privateKeys, blob: forTarget });
    // restore-blob to a certificate that is not the HSM's transfer key.
    await azureCli(target, "restore-blob", {
      file: sdFile,
      exchangeKey: stranger.certificate,
      privateKeys,
      blob: forStranger,
    });
    const good = JSON.parse(await readFile(forTarget, "utf8"));
    const other = JSON.parse(await readFile(forStranger, "utf8"));
    const withDatumTag = (tag: (parts: string[]) => string) => {
      const changed = structuredClone(good);
      const parts = changed.EncData.data[0].compact_jwe.split(".");
      parts[4] = tag(parts);
      changed.EncData.data[0].compact_jwe = parts.join(".");
      return changed;
    };
    const cases: Array<[string, unknown, string, RegExp]> = [
      ["for another transfer key", other, "InvalidSecurityDomain", /prepared for another transfer key/],
      [
        "another key's WrappedKey under this key's thumbprint",
        { ...other, WrappedKey: { ...other.WrappedKey, x5t_256: good.WrappedKey.x5t_256 } },
        "InvalidSecurityDomain",
        /WrappedKey cannot be decrypted/,
      ],
      [
        "a changed A256CBC-HS512 tag",
        withDatumTag(() => Buffer.alloc(32, 7).toString("base64url")),
        "InvalidSecurityDomain",
        /failed authentication/,
      ],
      // The Azure CLI's own reader would take a cut tag (its loop compares only 32-byte tags).
      [
        "a tag cut to 16 bytes",
        withDatumTag((parts) =>
          Buffer.from(parts[4] as string, "base64url")
            .subarray(0, 16)
            .toString("base64url"),
        ),
        "InvalidSecurityDomain",
        /failed authentication/,
      ],
      [
        "a changed ciphertext",
        withDatumTag((parts) => {
          const ciphertext = Buffer.from(parts[3] as string, "base64url");
          ciphertext[0] = (ciphertext[0] as number) ^ 1;
          parts[3] = ciphertext.toString("base64url");
          return parts[4] as string;
        }),
        "InvalidSecurityDomain",
        /failed authentication/,
      ],
      [
        "no domain key datum (as a security domain of another kind of HSM)",
        { ...good, EncData: { ...good.EncData, data: [{ ...good.EncData.data[0], tag: "not-mhsm" }] } },
        "InvalidSecurityDomain",
        /holds no 'mhsm-domain-key-v1' datum/,
      ],
      [
        "another KDF",
        { ...good, EncData: { ...good.EncData, kdf: "HKDF-SHA256" } },
        "InvalidSecurityDomain",
        /only 'sp108_kdf'/,
      ],
      [
        "the file instead of a blob",
        JSON.parse(await readFile(sdFile, "utf8")),
        "InvalidSecurityDomain",
        /not an upload blob/,
      ],
      ["a JSON array", [good], "InvalidSecurityDomain", /is not a JSON object/],
    ];
    const token = await adminToken(target);
    for (const [what, value, code, message] of cases) {
      const response = await call(target, token, "POST", "/securitydomain/upload", {
        value: JSON.stringify(value),
      });
      assert.equal(response.status, 400, `${what}: ${response.text}`);
      assert.equal(response.json.error.code, code, what);
      assert.match(response.json.error.message, message, what);
    }
    const malformed: Array<[string, unknown, number, string, RegExp]> = [
      ["not JSON", { value: "{EncData" }, 400, "InvalidSecurityDomain", /is not JSON/],
      [
        "JSON nested 300000 deep",
        { value: `${"[".repeat(300_000)}${"]".repeat(300_000)}` },
        400,
        "InvalidSecurityDomain",
        /is not a JSON object/,
      ],
      ["a value that is not a string", { value: good }, 400, "BadParameter", /'value' is required/],
      [
        "a body over the server's limit (1 MiB)",
        { value: "A".repeat(1024 * 1024 + 1) },
        413,
        "RequestTooLarge",
        /larger than 1048576 bytes/,
      ],
    ];
    for (const [what, body, status, code, message] of malformed) {
      const response = await call(target, token, "POST", "/securitydomain/upload", body);
      assert.equal(response.status, status, `${what}: ${response.text.slice(0, 300)}`);
      assert.equal(response.json.error.code, code, what);
      assert.match(response.json.error.message, message, what);
    }
    // Through Microsoft's client too: the refusal reaches it as a Key Vault error.
    const viaAz = refusal(await azureCli(target, "upload-blob", { blob: forStranger }));
    assert.equal(viaAz.status, 400);
    assert.equal(viaAz.code, "InvalidSecurityDomain");
    await expectNotActivated(target);
    // mhsm's CLI names the mix-ups of --restore-blob before the HSM is asked.
    const fileAsBlob = await uploadBlobWithCli(target, sdFile);
    assert.equal(fileAsBlob.code, 1);
    assert.match(fileAsBlob.stderr, /is not an upload blob \(it has no WrappedKey\)/);
    const withKeys = await uploadBlobWithCli(target, forTarget, [
      "--sd-wrapping-keys",
      privateKeys[0] as string,
    ]);
    assert.equal(withKeys.code, 1);
    assert.match(withKeys.stderr, /give no --sd-wrapping-keys/);
    await expectNotActivated(target);
    // Nothing was changed: the blob Microsoft's restore-blob made, sent by `mhsm security-domain
    // upload --restore-blob`, activates the HSM.
    const uploaded = await uploadBlobWithCli(target, forTarget);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    assert.equal(JSON.parse(uploaded.stdout).status, "Success");
  });

  it("az download → mhsm upload → a new HSM with the same domain; mhsm's CLI refuses what it cannot use", async () => {
    const c = await start();
    const sdFile = join(dir, "from-az.json");
    const downloaded = await azureCli(c, "download", {
      certificates: holders.map((h) => h.certificate),
      file: sdFile,
      quorum: 2,
    });
    // az writes the file only after polling /securitydomain/upload/pending (sic) to Success.
    assert.equal(downloaded.status, "Success", JSON.stringify(downloaded));
    const file = JSON.parse(await readFile(sdFile, "utf8"));
    assert.equal(file.SharedKeys.key_algorithm, "shamir_share");
    const message = "signed on C, verified on D";
    const key = await signAndBackUp(c, "crossing-to-d", message);

    const d = await start();
    const keys = holders.map((h) => h.privateKey);
    const variant = async (name: string, change: (copy: typeof file) => void) => {
      const copy = structuredClone(file);
      change(copy);
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(copy));
      return path;
    };
    const refusals: Array<[string, string, string[], RegExp]> = [
      ["one key", sdFile, keys.slice(0, 1), /needs 2 of its 3 wrapping keys; 1 was given/],
      [
        "a stranger's key",
        sdFile,
        [keys[0] as string, stranger.privateKey],
        /stranger1\.key is not one of this security domain's wrapping keys/,
      ],
      [
        "too few shares",
        await variant("few.json", (copy) => copy.SharedKeys.enc_shares.splice(1)),
        keys,
        /fewer shares than its quorum/,
      ],
      [
        "another key_algorithm",
        await variant("algorithm.json", (copy) => (copy.SharedKeys.key_algorithm = "shamir-gf256")),
        keys,
        /key_algorithm "shamir-gf256"; only 'shamir_share' is supported/,
      ],
      [
        "a changed share",
        await variant("share.json", (copy) => {
          const parts = copy.SharedKeys.enc_shares[1].enc_key.split(".");
          parts[4] = Buffer.alloc(32).toString("base64url");
          copy.SharedKeys.enc_shares[1].enc_key = parts.join(".");
        }),
        keys.slice(0, 2),
        /The share for .*holder2\.key is damaged/,
      ],
    ];
    for (const [what, path, privateKeys, message] of refusals) {
      const result = await uploadWithCli(d, path, privateKeys);
      assert.equal(result.code, 1, `${what}: ${result.stdout}`);
      assert.match(result.stderr, message, what);
    }
    // Nothing reached the server: no upload was started, and D is still not activated.
    assert.equal((await call(d, await adminToken(d), "GET", "/securitydomain/upload/pending")).status, 404);
    await expectNotActivated(d);

    const uploaded = await uploadWithCli(d, sdFile, [keys[1] as string, keys[2] as string]);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    assert.equal(JSON.parse(uploaded.stdout).status, "Success");
    await restoreAndVerify(d, "crossing-to-d", message, key);
  });
});
