import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DomainError } from "../errors/domain-error.js";
import { checkApiVersion } from "./api-version.js";
import { normalizeRequestUrl } from "./app.js";
import { challengeHeader } from "./challenge.js";

describe("normalizeRequestUrl", () => {
  it("collapses repeated slashes and decodes %2F in the path only", () => {
    assert.equal(normalizeRequestUrl("///providers/x?a=//b"), "/providers/x?a=//b");
    assert.equal(normalizeRequestUrl("/%2Fkeys%2fk1/providers"), "/keys/k1/providers");
    assert.equal(normalizeRequestUrl("/keys?$filter=%2F"), "/keys?$filter=%2F");
  });
});

describe("checkApiVersion", () => {
  it("accepts supported versions, once or repeated identically", () => {
    assert.equal(checkApiVersion("7.4-preview.1"), "7.4-preview.1");
    assert.equal(checkApiVersion(["7.6", "7.6"]), "7.6");
  });
  it("refuses missing, unknown and conflicting versions with BadParameter", () => {
    for (const value of [undefined, "7.1", ["7.4", "7.5"], ""]) {
      assert.throws(
        () => checkApiVersion(value),
        (e: unknown) => e instanceof DomainError && e.code === "BadParameter",
      );
    }
  });
});

describe("challengeHeader", () => {
  it("has the exact Key Vault form, with no spaces or '=' inside values", () => {
    assert.equal(
      challengeHeader("https://h:1/t", "https://managedhsm.azure.net"),
      'Bearer authorization="https://h:1/t", resource="https://managedhsm.azure.net"',
    );
  });
});
