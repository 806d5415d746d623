import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runServeExpectingFailure } from "../harness/server-process.js";
import { type SoftHsmToken, createSoftHsmToken } from "../harness/softhsm.js";

/**
 * --hsm-backend pkcs11 with a bad module, token or PIN: the server does not start, says which,
 * never echoes the PIN, and leaves no key file behind (nothing was made without its token).
 */
describe("pkcs11 backend: start errors name the module, token or PIN", () => {
  let token: SoftHsmToken;
  let dir: string;

  before(async () => {
    token = createSoftHsmToken("mhsm-start");
    dir = await mkdtemp(join(tmpdir(), "mhsm-p11-start-"));
  });
  after(async () => {
    token?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(
    name: string,
    args: string[],
    env: Record<string, string> = { MHSM_PKCS11_PIN: token.pin },
  ) {
    const dataDir = join(dir, name);
    const result = await runServeExpectingFailure(
      ["--data-dir", dataDir, "--hsm-backend", "pkcs11", ...args],
      {
        ...token.env,
        ...env,
      },
    );
    const output = result.stdout + result.stderr;
    assert.notEqual(result.code, 0, `${name}: the server must not start:\n${output}`);
    assert.equal(existsSync(join(dataDir, "domain.key")), false, `${name}: no domain key made`);
    assert.equal(output.includes(token.pin), false, `${name}: the PIN is never printed`);
    return { code: result.code, output };
  }

  it("needs a module, one token and one PIN source (a configuration error)", async () => {
    const noModule = await serve("no-module", ["--pkcs11-token-label", token.label]);
    assert.equal(noModule.code, 2);
    assert.match(noModule.output, /--hsm-backend pkcs11 needs --pkcs11-module/);
    const noToken = await serve("no-token", ["--pkcs11-module", token.module]);
    assert.match(noToken.output, /exactly one of --pkcs11-token-label and --pkcs11-slot/);
    const noPin = await serve(
      "no-pin",
      ["--pkcs11-module", token.module, "--pkcs11-token-label", token.label],
      {},
    );
    assert.match(noPin.output, /exactly one of MHSM_PKCS11_PIN and --pkcs11-pin-file/);
  });

  it("has no PIN flag: a PIN given on the command line is refused, not used", async () => {
    const result = await serve("pin-flag", [
      "--pkcs11-module",
      token.module,
      "--pkcs11-token-label",
      token.label,
      "--pkcs11-pin",
      token.pin,
    ]);
    assert.match(result.output.replaceAll(token.pin, ""), /unknown option '--pkcs11-pin'/);
  });

  it("names a module that does not load", async () => {
    const result = await serve("bad-module", [
      "--pkcs11-module",
      "/nonexistent/libnothing.so",
      "--pkcs11-token-label",
      token.label,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.output, /cannot load the PKCS#11 module \/nonexistent\/libnothing\.so/);
  });

  it("names a token that is not there, and the tokens that are", async () => {
    const result = await serve("bad-label", [
      "--pkcs11-module",
      token.module,
      "--pkcs11-token-label",
      "no-such-token",
    ]);
    assert.equal(result.code, 1);
    assert.match(result.output, /no PKCS#11 token labelled 'no-such-token'/);
    assert.match(result.output, /tokens present: 'mhsm-start' \(slot \d+\)/);
    const slot = await serve("bad-slot", ["--pkcs11-module", token.module, "--pkcs11-slot", "4242"]);
    assert.match(slot.output, /no PKCS#11 token in slot 4242/);
  });

  it("says the PIN is wrong without printing it, from the environment or a PIN file", async () => {
    const wrong = await serve(
      "bad-pin",
      ["--pkcs11-module", token.module, "--pkcs11-token-label", token.label],
      {
        MHSM_PKCS11_PIN: "0000-wrong",
      },
    );
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.output,
      /token 'mhsm-start' refused the login: the user PIN is wrong \(CKR_PIN_INCORRECT\)/,
    );
    assert.equal(wrong.output.includes("0000-wrong"), false);
    const pinFile = join(dir, "wrong.pin");
    await writeFile(pinFile, "9999-wrong\n", { mode: 0o600 });
    const fromFile = await serve(
      "bad-pin-file",
      ["--pkcs11-module", token.module, "--pkcs11-token-label", token.label, "--pkcs11-pin-file", pinFile],
      {},
    );
    assert.match(fromFile.output, /the user PIN is wrong/);
    assert.equal(fromFile.output.includes("9999-wrong"), false);
    const missing = await serve(
      "missing-pin-file",
      [
        "--pkcs11-module",
        token.module,
        "--pkcs11-token-label",
        token.label,
        "--pkcs11-pin-file",
        join(dir, "none"),
      ],
      {},
    );
    assert.match(missing.output, /cannot read the PKCS#11 PIN file .*none: ENOENT/);
  });
});
