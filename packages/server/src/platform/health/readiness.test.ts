import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkReadiness, gateReadiness, storeReadiness } from "./readiness.js";

describe("readiness checks", () => {
  it("calls a store that does not answer in time unreachable, without waiting for it", async () => {
    const hung = storeReadiness(() => new Promise(() => undefined), 50);
    const started = performance.now();
    assert.equal(await hung.check(), "The store did not answer within 50 ms.");
    assert.ok(performance.now() - started < 5000);
  });

  it("names a store's error by its code only, never its message (hosts, users, connection strings)", async () => {
    const failing = storeReadiness(async () => {
      const error = new Error("connect ECONNREFUSED postgres://mhsm:secret@db:5432/hsm\nstack");
      Object.assign(error, { code: "ECONNREFUSED" });
      throw error;
    }, 1000);
    const reason = await failing.check();
    assert.equal(reason, "The store cannot be reached (ECONNREFUSED).");
    const uncoded = storeReadiness(
      async () => Promise.reject(new Error("open /srv/mhsm/mhsm.db failed")),
      1000,
    );
    assert.equal(await uncoded.check(), "The store cannot be reached (an unexpected error).");
  });

  it("asks a hung store once, however many probes come while it hangs", async () => {
    let asked = 0;
    const hung = storeReadiness(() => {
      asked++;
      return new Promise(() => undefined);
    }, 20);
    for (let i = 0; i < 3; i++) assert.match(String(await hung.check()), /did not answer/);
    assert.equal(asked, 1);
  });

  it("is ready only when every check holds, and reports each failing one", async () => {
    const open = gateReadiness({ name: "restore", refusal: () => undefined });
    const closed = gateReadiness({
      name: "activation",
      refusal: () => ({ code: "HsmNotActivated", message: "Not activated." }),
    });
    const throwing = {
      name: "audit",
      check: async () => Promise.reject(Object.assign(new Error("boom at /srv"), { code: "EIO" })),
    };
    assert.deepEqual(await checkReadiness([open]), { ready: true, checks: { restore: "ok" } });
    assert.deepEqual(await checkReadiness([open, closed, throwing]), {
      ready: false,
      checks: { restore: "ok", activation: "Not activated.", audit: "The check failed (EIO)." },
    });
  });
});
