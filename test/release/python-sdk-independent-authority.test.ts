import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPython } from "../harness/python.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { type TokenIssuer, makeTestCa, runtimeClaim, startTokenIssuer } from "./support/token-issuer.js";

describe("official Python SDK: import_key with a release policy and release_key against an independent authority over HTTPS", () => {
  let fx: KeysFixture;
  let ca: ReturnType<typeof makeTestCa>;
  let issuer: TokenIssuer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;
  before(async () => {
    ca = makeTestCa();
    issuer = await startTokenIssuer(ca, "py-issuer");
    fx = await startKeysServer({
      args: ["--attestation-authority", issuer.authority],
      env: { NODE_EXTRA_CA_CERTS: ca.caFile },
    });
    const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const tee = (type: string) => ({
      "x-ms-isolation-tee": { "x-ms-attestation-type": type },
      "x-ms-runtime": runtimeClaim(runtime.publicKey),
    });
    out = await runPython(
      join(import.meta.dirname, "python/release_independent.py"),
      fx.server,
      fx.server.admin,
      {
        AUTHORITY: issuer.authority,
        RUNTIME_KEY_PEM: runtime.privateKey.export({ format: "pem", type: "pkcs8" }) as string,
        RELEASE_TOKEN: issuer.token(tee("sevsnpvm")),
        WRONG_TOKEN: issuer.token(tee("sgx")),
      },
    );
  });
  after(async () => {
    await fx?.dispose();
    await issuer?.close();
    ca?.dispose();
  });

  it("imports an exportable EC P-384 key, releases it, and the cryptography package unwraps the very key it imported", () => {
    assert.equal(out.imported_exportable, true);
    assert.equal(out.same_key, true);
  });

  it("a token whose claim does not meet the policy is refused (403)", () => {
    assert.deepEqual(out.wrong_claim, { status: 403, code: "Forbidden" });
  });
});
