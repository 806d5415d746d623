import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMhsmCli } from "../harness/mhsm-cli.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { openRelease } from "./support/independent-unwrap.js";

describe("mhsm attestation token --claims <file> --runtime-key <pem>", () => {
  let fx: KeysFixture;
  let plain: ServerProcess;
  let dir: string;
  const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-attest-cli-"));
    fx = await startKeysServer({ args: ["--test-attestation-authority"] });
    plain = await startServerProcess();
  });
  after(async () => {
    await fx?.dispose();
    await plain?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("mints a token with the file's claims for the runtime key (a private key PEM sends only its public half), and the key released with it unwraps", async () => {
    await writeFile(
      join(dir, "claims.json"),
      JSON.stringify({ "x-ms-attestation-type": "sevsnpvm", svn: 4 }),
    );
    await writeFile(join(dir, "runtime.pem"), runtime.privateKey.export({ format: "pem", type: "pkcs8" }));
    const admin = join(fx.server.dataDir, "initial-admin.json");
    const result = await runMhsmCli([
      "attestation",
      "token",
      "--admin-file",
      admin,
      "--claims",
      join(dir, "claims.json"),
      "--runtime-key",
      join(dir, "runtime.pem"),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const token = result.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
    assert.equal(claims.iss, `${fx.server.url}/test-attestation/`);
    assert.equal(claims.svn, 4);
    assert.equal(claims["x-ms-runtime"].keys[0].d, undefined, "no private member leaves the CLI");
    const policy = {
      version: "1.0.0",
      anyOf: [
        {
          authority: claims.iss,
          allOf: [
            { claim: "x-ms-attestation-type", equals: "sevsnpvm" },
            { claim: "svn", greaterOrEquals: 3 },
          ],
        },
      ],
    };
    await fx.keyClient.createEcKey("cli-released", {
      curve: "P-384",
      exportable: true,
      releasePolicy: { encodedPolicy: new TextEncoder().encode(JSON.stringify(policy)) },
    });
    const released = await fx.keyClient.releaseKey("cli-released", token);
    assert.ok(openRelease(released.value, runtime.privateKey).material.length > 100);
  });

  it("says so when the server has no test authority, and refuses a claims file that is not a JSON object", async () => {
    const admin = join(plain.dataDir, "initial-admin.json");
    const off = await runMhsmCli(["attestation", "token", "--admin-file", admin]);
    // Only a server with the test authority on warns that anyone can mint tokens it trusts.
    assert.match(fx.server.output(), /WARNING: the built-in TEST attestation authority is on/);
    assert.doesNotMatch(plain.output(), /TEST attestation authority/);
    assert.notEqual(off.code, 0);
    assert.match(
      off.stderr,
      /no test attestation authority: start the server with --test-attestation-authority/,
    );
    await writeFile(join(dir, "list.json"), "[1, 2]");
    const bad = await runMhsmCli([
      "attestation",
      "token",
      "--admin-file",
      admin,
      "--claims",
      join(dir, "list.json"),
    ]);
    assert.match(bad.stderr, /BadArgument: --claims .*must be a JSON object/);
  });
});
