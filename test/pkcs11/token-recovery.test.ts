import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { DomainError } from "../../packages/server/src/platform/errors/domain-error.js";
import { Pkcs11Token } from "../../packages/server/src/platform/pkcs11/pkcs11-token.js";
import { TokenKeys } from "../../packages/server/src/platform/pkcs11/token-keys.js";
import { type SoftHsmToken, createSoftHsmToken } from "../harness/softhsm.js";

/**
 * Sessions lost under the pool (a token reset closes them; a module that is finalized forgets
 * everything): the operation in flight answers 503 HsmDeviceUnavailable, the next one reopens the
 * module, logs in, puts the domain wrapping key back and finds the key again: nothing is lost.
 * Real SoftHSM2, real PKCS#11 failures (CKR_SESSION_HANDLE_INVALID, CKR_CRYPTOKI_NOT_INITIALIZED).
 */
describe("pkcs11 token: a lost token answers 503 and recovers", () => {
  let softhsm: SoftHsmToken;
  let token: Pkcs11Token;
  let keys: TokenKeys;
  let previousConf: string | undefined;

  before(() => {
    softhsm = createSoftHsmToken("mhsm-recover");
    previousConf = process.env.SOFTHSM2_CONF;
    process.env.SOFTHSM2_CONF = softhsm.env.SOFTHSM2_CONF;
    token = Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.label,
      pin: softhsm.pin,
      sessions: 4,
    });
    keys = new TokenKeys(token, Buffer.alloc(32, 7));
  });
  after(() => {
    token?.close();
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
    softhsm?.remove();
  });

  const sign = async (reference: Awaited<ReturnType<TokenKeys["generateEc"]>>["reference"]) =>
    keys.withKey(reference, async ({ p11, session, binding }, key) => {
      p11.C_SignInit(session, { mechanism: binding.CKM_ECDSA }, key);
      return p11.C_Sign(session, createHash("sha256").update("x").digest(), Buffer.alloc(128));
    });

  async function expectUnavailable(work: Promise<unknown>, code: RegExp) {
    await assert.rejects(work, (error: unknown) => {
      assert.ok(error instanceof DomainError, String(error));
      assert.equal(error.code, "HsmDeviceUnavailable");
      assert.match(error.message, code);
      return true;
    });
  }

  it("sessions closed under the pool: 503 now, the key works again next", async () => {
    const generated = await keys.generateEc("recovering", "v1", "06082a8648ce3d030107");
    assert.equal((await sign(generated.reference)).length, 64);
    // A token reset: every session of the application is gone.
    await token.withSession(({ p11, session, binding }) => {
      const slot = p11.C_GetSessionInfo(session).slotID;
      p11.C_CloseAllSessions(slot);
      void binding;
    });
    await expectUnavailable(sign(generated.reference), /CKR_SESSION_HANDLE_INVALID|CKR_USER_NOT_LOGGED_IN/);
    assert.equal((await sign(generated.reference)).length, 64, "after the reconnection");
  });

  it("a module that forgot everything (C_Finalize): 503, then a new login, and the key is still there", async () => {
    const generated = await keys.generateEc("finalized", "v1", "06082a8648ce3d030107");
    await token.withSession(({ p11 }) => p11.C_Finalize());
    await expectUnavailable(
      sign(generated.reference),
      /CKR_CRYPTOKI_NOT_INITIALIZED|CKR_SESSION_HANDLE_INVALID/,
    );
    assert.equal((await sign(generated.reference)).length, 64);
    // The key made before the loss is still one token object, found again rather than unwrapped anew.
    const objects = softhsm.tool(["--list-objects", "--type", "privkey"]);
    assert.equal(objects.split("label:").filter((part) => part.trim().startsWith("finalized/v1")).length, 1);
  });

  it("many operations in flight when the sessions go: each answers or is a 503, and all work after", async () => {
    const generated = await keys.generateEc("crowd", "v1", "06082a8648ce3d030107");
    await token.withSession(({ p11, session }) =>
      p11.C_CloseAllSessions(p11.C_GetSessionInfo(session).slotID),
    );
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => sign(generated.reference)));
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") {
        assert.ok(outcome.reason instanceof DomainError, String(outcome.reason));
        assert.equal(outcome.reason.code, "HsmDeviceUnavailable");
      } else {
        assert.equal(outcome.value.length, 64);
      }
    }
    assert.ok(
      outcomes.some((outcome) => outcome.status === "rejected"),
      "the loss was seen",
    );
    const after = await Promise.all(Array.from({ length: 12 }, () => sign(generated.reference)));
    for (const signature of after) assert.equal(signature.length, 64);
  });

  it("operations at once share the pool: more than its sessions wait for one, and all finish", async () => {
    const generated = await keys.generateEc("busy", "v1", "06082a8648ce3d030107");
    const results = await Promise.all(Array.from({ length: 20 }, () => sign(generated.reference)));
    assert.equal(results.length, 20);
    for (const signature of results) assert.equal(signature.length, 64);
  });
});
