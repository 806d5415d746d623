import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DomainError } from "../../../platform/errors/domain-error.js";
import { canonicalPolicyJson, evaluatePolicy, parseReleasePolicy } from "./release-policy.js";

const AUTHORITY = "https://attest.example/";
const parse = (policy: unknown) => parseReleasePolicy(Buffer.from(JSON.stringify(policy)));
const one = (condition: unknown, kind = "allOf") =>
  parse({ version: "1.0.0", anyOf: [{ authority: AUTHORITY, [kind]: [condition] }] });
const holds = (condition: unknown, claims: Record<string, unknown>) =>
  evaluatePolicy(one(condition), AUTHORITY, claims).satisfied;

function refused(policy: unknown, message: RegExp): void {
  assert.throws(
    () => parse(policy),
    (error: unknown) =>
      error instanceof DomainError && error.code === "BadParameter" && message.test(error.message),
  );
}

describe("release policy grammar", () => {
  it("stores version 1.0's {claim, condition, value} as 1.0.0's {claim, equals}, compact, in the service's member order", () => {
    const policy = parse({
      anyOf: [
        {
          anyOf: [{ claim: "sdk-test", condition: "equals", value: "true" }],
          authority: "https://skr_attestation.azure.net/",
        },
      ],
      version: "1.0",
    });
    // The service's answer in Azure/azure-sdk-for-js recording_can_update_a_keys_release_policy.json.
    assert.equal(
      canonicalPolicyJson(policy),
      '{"anyOf":[{"anyOf":[{"claim":"sdk-test","equals":"true"}],"authority":"https://skr_attestation.azure.net/"}],"version":"1.0.0"}',
    );
  });

  it("refuses what the grammar does not allow, naming the fault", () => {
    refused({ anyOf: [] }, /missing 'version'/);
    refused({ version: "2.0", anyOf: [] }, /not supported/);
    refused({ version: "1.0.0", anyOf: [] }, /non-empty array/);
    refused(
      {
        version: "1.0.0",
        anyOf: [{ authority: "http://plain.example/", allOf: [{ claim: "a", equals: 1 }] }],
      },
      /https URL/,
    );
    refused({ version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [], anyOf: [] }] }, /exactly one of/);
    refused(
      { version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [{ claim: "a" }] }] },
      /exactly one operator/,
    );
    refused(
      { version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [{ claim: "a", equals: 1, less: 2 }] }] },
      /exactly one operator/,
    );
    refused(
      { version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [{ claim: "a", equals: { x: 1 } }] }] },
      /string, number or boolean/,
    );
    refused(
      { version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [{ claim: "a", exists: "yes" }] }] },
      /true or false/,
    );
    refused(
      { version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [{ claim: "a", equals: 1 }], extra: 1 }] },
      /unknown member 'extra'/,
    );
    let deep: unknown = { claim: "a", equals: 1 };
    for (let i = 0; i < 10; i += 1) deep = { allOf: [deep] };
    refused({ version: "1.0.0", anyOf: [{ authority: AUTHORITY, allOf: [deep] }] }, /nest deeper/);
    assert.throws(() => parseReleasePolicy(Buffer.from("not json")), /not JSON/);
  });
});

describe("release policy evaluation", () => {
  it("equals compares strings without case and a string with a boolean or number by text", () => {
    assert.equal(holds({ claim: "t", equals: "SEVSNPVM" }, { t: "sevsnpvm" }), true);
    assert.equal(holds({ claim: "sdk-test", equals: "true" }, { "sdk-test": true }), true);
    assert.equal(holds({ claim: "n", equals: 3 }, { n: 3 }), true);
    assert.equal(holds({ claim: "n", equals: 3 }, { n: 4 }), false);
  });

  it("reads nested claims by dotted path, and a top-level claim with dots in its name first", () => {
    assert.equal(holds({ claim: "a.b.c", equals: 1 }, { a: { b: { c: 1 } } }), true);
    assert.equal(holds({ claim: "a.b", equals: 2 }, { "a.b": 2, a: { b: 1 } }), true);
    assert.equal(holds({ claim: "a.b.c", equals: 1 }, { a: { b: 1 } }), false);
  });

  it("the ordering operators take numbers (or numeric text); exists; notEquals; a missing claim never holds", () => {
    assert.equal(holds({ claim: "svn", greaterOrEquals: 2 }, { svn: 2 }), true);
    assert.equal(holds({ claim: "svn", greater: 2 }, { svn: "3" }), true);
    assert.equal(holds({ claim: "svn", less: 2 }, { svn: 2 }), false);
    assert.equal(holds({ claim: "svn", lessOrEquals: 2 }, { svn: "abc" }), false);
    assert.equal(holds({ claim: "debug", exists: false }, {}), true);
    assert.equal(holds({ claim: "debug", exists: true }, {}), false);
    assert.equal(holds({ claim: "debug", notEquals: true }, { debug: false }), true);
    assert.equal(
      holds({ claim: "debug", notEquals: true }, {}),
      false,
      "a missing claim fails notEquals too",
    );
  });

  it("allOf needs every condition, anyOf one, nested as written; only the token's own authority's groups count", () => {
    const policy = parse({
      version: "1.0.0",
      anyOf: [
        { authority: "https://other.example", allOf: [{ claim: "x", exists: false }] },
        {
          authority: AUTHORITY,
          allOf: [
            { claim: "a", equals: 1 },
            {
              anyOf: [
                { claim: "b", equals: 2 },
                { claim: "c", equals: 3 },
              ],
            },
          ],
        },
      ],
    });
    assert.equal(evaluatePolicy(policy, AUTHORITY, { a: 1, c: 3 }).satisfied, true);
    assert.equal(
      evaluatePolicy(policy, "https://attest.example", { a: 1, b: 2 }).satisfied,
      true,
      "a trailing slash does not matter",
    );
    const unmet = evaluatePolicy(policy, AUTHORITY, { a: 1 });
    assert.equal(unmet.satisfied, false);
    assert.match((unmet as { reason: string }).reason, /'b' equals 2/);
    const foreign = evaluatePolicy(policy, "https://third.example/", {});
    assert.equal(
      foreign.satisfied,
      false,
      "the other authority's empty-claims group does not count for a third issuer",
    );
  });
});
