import assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliSession, startCliSession } from "./support/cli-session.js";

interface Key {
  id: string;
  name: string;
  version: string;
  enabled: boolean;
  keyType: string;
  keySize?: number;
  curve?: string;
  keyOperations: string[];
  tags: Record<string, string>;
  key: Record<string, unknown>;
}

describe("mhsm key", () => {
  let cli: CliSession;
  let workDir: string;
  before(async () => {
    cli = await startCliSession();
    workDir = await mkdtemp(join(tmpdir(), "mhsm-cli-keys-"));
  });
  after(async () => {
    await cli?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it("needs a crypto role first: an Administrator is Forbidden until role assignment create", async () => {
    await cli.fails(["key", "list"], "AccessDenied");
    assert.match(await cli.fails(["key", "create", "-n", "k"], "AccessDenied"), /keys\/create on \/keys\/k/);
    await cli.grantKeyRoles();
    assert.deepEqual(await cli.json(["key", "list"]), []);
  });

  it("creates RSA, EC and oct keys, lists, shows, updates and rotates them", async () => {
    const rsa = await cli.json<Key>([
      "key",
      "create",
      "--name",
      "cli-rsa",
      "--kty",
      "RSA-HSM",
      "--size",
      "3072",
    ]);
    assert.equal(rsa.keyType, "RSA-HSM");
    assert.equal(rsa.keySize, 3072);
    assert.equal(typeof rsa.key.n, "string");
    assert.equal(rsa.key.d, undefined, "no private material");
    assert.match(rsa.version, /^[0-9a-f]{32}$/);

    const ec = await cli.json<Key>([
      "key",
      "create",
      "-n",
      "cli-ec",
      "--kty",
      "EC-HSM",
      "--curve",
      "P-256",
      "--tags",
      "team=payments",
      "env=test",
    ]);
    assert.equal(ec.curve, "P-256");
    assert.deepEqual(ec.tags, { team: "payments", env: "test" });
    const oct = await cli.json<Key>(["key", "create", "-n", "cli-oct", "--kty", "oct-HSM", "--size", "256"]);
    assert.equal(oct.keyType, "oct-HSM");
    assert.equal(oct.key.k, undefined, "symmetric material is never shown");

    const listed = await cli.json<Array<{ name: string }>>(["key", "list"]);
    assert.deepEqual(listed.map((k) => k.name).sort(), ["cli-ec", "cli-oct", "cli-rsa"]);
    const tsv = await cli.run(["key", "list", "-o", "tsv"]);
    assert.match(tsv.stdout, /^cli-ec\ttrue\t\d{4}-\d\d-\d\dT[\d:]+Z\t[^\t]+\t\tteam=payments,env=test$/m);

    const disabled = await cli.json<Key>([
      "key",
      "update",
      "-n",
      "cli-rsa",
      "--enabled",
      "false",
      "--expires",
      "2031-01-01",
    ]);
    assert.equal(disabled.enabled, false);
    assert.equal((disabled as unknown as { expiresOn: string }).expiresOn, "2031-01-01T00:00:00.000Z");
    await cli.fails(["key", "update", "-n", "cli-rsa"], "BadArgument");
    await cli.fails(["key", "update", "-n", "cli-rsa", "--expires", "next week"], "BadArgument");

    const rotated = await cli.json<Key>(["key", "rotate", "-n", "cli-ec"]);
    assert.notEqual(rotated.version, ec.version);
    const versions = await cli.json<Array<{ version: string }>>(["key", "list-versions", "-n", "cli-ec"]);
    assert.deepEqual(versions.map((v) => v.version).sort(), [ec.version, rotated.version].sort());
    const first = await cli.json<Key>(["key", "show", "-n", "cli-ec", "--version", ec.version]);
    assert.equal(first.id, ec.id);

    const table = await cli.run(["key", "show", "-n", "cli-oct", "-o", "table"]);
    assert.match(table.stdout, /│ Type\s+│ oct-HSM\s+│/);
    await cli.fails(["key", "show", "-n", "no-such-key"], "KeyNotFound");
    await cli.fails(["key", "create", "-n", "x", "--kty", "DSA"], "BadArgument");
  });

  it("encrypts and decrypts, signs and verifies (checked with node:crypto), wraps and unwraps", async () => {
    await cli.json(["key", "create", "-n", "cli-crypto", "--kty", "RSA-HSM", "--size", "2048"]);
    const encrypted = await cli.json<{ result: string; kid: string }>(
      ["key", "encrypt", "-n", "cli-crypto", "-a", "RSA-OAEP-256", "--value", "-"],
      { input: "attack at dawn" },
    );
    assert.match(encrypted.kid, /\/keys\/cli-crypto\/[0-9a-f]{32}$/);
    const decrypted = await cli.json<{ result: string }>([
      "key",
      "decrypt",
      "-n",
      "cli-crypto",
      "-a",
      "RSA-OAEP-256",
      "--value",
      encrypted.result,
    ]);
    assert.equal(decrypted.result, "attack at dawn");

    const gcm = await cli.json<{ result: string; iv: string; authenticationTag: string }>([
      "key",
      "encrypt",
      "-n",
      "cli-oct",
      "-a",
      "A256GCM",
      "--value",
      Buffer.from("binary\u0000data").toString("base64"),
      "--data-type",
      "base64",
    ]);
    const opened = await cli.json<{ result: string }>([
      "key",
      "decrypt",
      "-n",
      "cli-oct",
      "-a",
      "A256GCM",
      "--value",
      gcm.result,
      "--iv",
      gcm.iv,
      "--tag",
      gcm.authenticationTag,
      "--data-type",
      "base64",
    ]);
    assert.equal(Buffer.from(opened.result, "base64").toString(), "binary\u0000data");

    // ES256 over data hashed by the CLI; node:crypto checks it with the public key from `key show`.
    const dataFile = join(workDir, "release.txt");
    await writeFile(dataFile, "release 1.2.3\n");
    const signed = await cli.json<{ signature: string }>([
      "key",
      "sign",
      "-n",
      "cli-ec",
      "-a",
      "ES256",
      "--value",
      `@${dataFile}`,
    ]);
    const jwk = (await cli.json<Key>(["key", "show", "-n", "cli-ec"])).key;
    const publicKey = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } as never,
      format: "jwk",
    });
    const signature = Buffer.from(signed.signature, "base64");
    assert.ok(
      verify("sha256", await readFile(dataFile), { key: publicKey, dsaEncoding: "ieee-p1363" }, signature),
    );

    const digest = createHash("sha256")
      .update(await readFile(dataFile))
      .digest("base64");
    // The digest from stdin, the signature from a file.
    const signatureFile = join(workDir, "release.sig");
    await writeFile(signatureFile, `${signed.signature}\n`);
    const valid = await cli.json<{ isValid: boolean }>(
      ["key", "verify", "-n", "cli-ec", "-a", "ES256", "--digest", "-", "--signature", `@${signatureFile}`],
      { input: digest },
    );
    assert.equal(valid.isValid, true);
    const tampered = await cli.run([
      "key",
      "verify",
      "-n",
      "cli-ec",
      "-a",
      "ES256",
      "--value",
      "release 6.6.6\n",
      "--signature",
      signed.signature,
      "-o",
      "tsv",
    ]);
    assert.equal(tampered.code, 0, tampered.stderr);
    assert.match(tampered.stdout, /\tES256\tfalse\n$/);

    // The key to wrap comes from a file; the unwrapped key goes to a new owner-only file, never stdout.
    const dataKey = Buffer.from("0123456789abcdef0123456789abcdef");
    await writeFile(join(workDir, "data-key.b64"), `${dataKey.toString("base64")}\n`);
    const wrapped = await cli.json<{ result: string }>([
      "key",
      "wrap",
      "-n",
      "cli-crypto",
      "-a",
      "RSA-OAEP-256",
      "--value",
      `@${join(workDir, "data-key.b64")}`,
    ]);
    const unwrapArgs = ["key", "unwrap", "-n", "cli-crypto", "-a", "RSA-OAEP-256", "--value", wrapped.result];
    const out = join(workDir, "unwrapped.bin");
    const unwrapped = await cli.run([...unwrapArgs, "--file", out, "-o", "json"]);
    assert.equal(unwrapped.code, 0, unwrapped.stderr);
    assert.deepEqual(await readFile(out), dataKey);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    assert.equal(JSON.parse(unwrapped.stdout).bytes, dataKey.length);
    for (const encoding of ["base64", "base64url", "hex", "utf8"] as const) {
      assert.ok(
        !unwrapped.stdout.includes(dataKey.toString(encoding)),
        `key material on stdout (${encoding})`,
      );
    }
    await cli.fails([...unwrapArgs, "--file", out], "FileExists");
    await cli.fails(
      ["key", "unwrap", "-n", "cli-crypto", "-a", "RSA-OAEP-256", "--value", wrapped.result],
      "BadArgument",
    );
  });

  it("fails with the service's code for a disabled key or a wrong algorithm, and locally for bad input", async () => {
    await cli.fails(
      ["key", "encrypt", "-n", "cli-rsa", "-a", "RSA-OAEP-256", "--value", "x"],
      /Forbidden|KeyDisabled/,
    );
    await cli.fails(["key", "encrypt", "-n", "cli-crypto", "-a", "ES256", "--value", "x"], /BadParameter/);
    assert.match(
      await cli.fails(
        ["key", "decrypt", "-n", "cli-crypto", "-a", "RSA-OAEP-256", "--value", "not base64!"],
        "BadArgument",
      ),
      /--value is not base64/,
    );
    assert.match(
      await cli.fails(
        ["key", "sign", "-n", "cli-ec", "-a", "ES256", "--value", "a", "--digest", "AAAA"],
        "BadArgument",
      ),
      /not both/,
    );
    await cli.fails(["key", "sign", "-n", "cli-ec", "-a", "ES256"], "BadArgument");
  });

  it("deletes, lists deleted, recovers, purges, and restores from a key backup file", async () => {
    const created = await cli.json<Key>([
      "key",
      "create",
      "-n",
      "cli-cycle",
      "--kty",
      "EC-HSM",
      "--curve",
      "P-384",
    ]);
    const backupFile = join(workDir, "cli-cycle.backup");
    const backedUp = await cli.json<{ file: string; bytes: number }>([
      "key",
      "backup",
      "-n",
      "cli-cycle",
      "-f",
      backupFile,
    ]);
    assert.equal(backedUp.bytes, (await stat(backupFile)).size);
    assert.equal((await stat(backupFile)).mode & 0o777, 0o600);
    await cli.fails(["key", "backup", "-n", "cli-cycle", "-f", backupFile], "FileExists");

    const deleted = await cli.json<{ recoveryId: string; deletedOn: string; scheduledPurgeDate: string }>([
      "key",
      "delete",
      "-n",
      "cli-cycle",
    ]);
    assert.match(deleted.recoveryId, /\/deletedkeys\/cli-cycle$/);
    assert.ok(Date.parse(deleted.scheduledPurgeDate) > Date.parse(deleted.deletedOn));
    const listed = await cli.json<Array<{ name: string }>>(["key", "list-deleted"]);
    assert.deepEqual(
      listed.map((k) => k.name),
      ["cli-cycle"],
    );
    await cli.fails(["key", "show", "-n", "cli-cycle"], "KeyNotFound");

    const recovered = await cli.json<Key>(["key", "recover", "-n", "cli-cycle"]);
    assert.equal(recovered.id, created.id);

    await cli.json(["key", "delete", "-n", "cli-cycle"]);
    const purged = await cli.run(["key", "purge", "-n", "cli-cycle"]);
    assert.equal(purged.code, 0, purged.stderr);
    assert.equal(purged.stdout, "");
    await cli.fails(["key", "purge", "-n", "cli-cycle"], "KeyNotFound");

    const restored = await cli.json<Key>(["key", "restore", "--file", backupFile]);
    assert.equal(restored.id, created.id);
    await cli.fails(["key", "restore", "--file", backupFile], /Conflict/);
    await cli.fails(["key", "restore", "--file", join(workDir, "missing.backup")], "BadArgument");
  });

  it("shows and updates rotation policies from flags or JSON (REST/az shape on stdin)", async () => {
    const updated = await cli.json<{ expiresIn: string; lifetimeActions: unknown[] }>([
      "key",
      "rotation-policy",
      "update",
      "-n",
      "cli-ec",
      "--rotate-after-create",
      "P90D",
      "--notify-before-expiry",
      "P30D",
      "--expires-in",
      "P1Y",
    ]);
    assert.equal(updated.expiresIn, "P1Y");
    assert.deepEqual(updated.lifetimeActions, [
      { action: "Rotate", timeAfterCreate: "P90D", timeBeforeExpiry: null },
      { action: "Notify", timeAfterCreate: null, timeBeforeExpiry: "P30D" },
    ]);
    const restShape = {
      lifetimeActions: [{ trigger: { timeAfterCreate: "P18M" }, action: { type: "Rotate" } }],
      attributes: { expiryTime: "P2Y" },
    };
    await cli.json(["key", "rotation-policy", "update", "-n", "cli-ec", "--policy", "-"], {
      input: JSON.stringify(restShape),
    });
    const shown = await cli.json<{ expiresIn: string; lifetimeActions: unknown[] }>([
      "key",
      "rotation-policy",
      "show",
      "-n",
      "cli-ec",
    ]);
    assert.equal(shown.expiresIn, "P2Y");
    assert.deepEqual(shown.lifetimeActions, [
      { action: "Rotate", timeAfterCreate: "P18M", timeBeforeExpiry: null },
    ]);

    await cli.fails(
      ["key", "rotation-policy", "update", "-n", "cli-ec", "--expires-in", "one year"],
      "BadArgument",
    );
    await cli.fails(["key", "rotation-policy", "update", "-n", "cli-ec"], "BadArgument");
    await cli.fails(["key", "rotation-policy", "show", "-n", "no-such-key"], "KeyNotFound");
  });
});
