import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DomainError } from "../../platform/errors/domain-error.js";
import { parseIsoDuration, shiftByDuration } from "./iso-duration.js";
import type { KeyVersion } from "./key-model.js";
import { expiryForNewVersion, rotationDueAt, validateRotationPolicy } from "./rotation-policy.js";

const DAY = 86_400_000;
const JAN_31 = Date.UTC(2025, 0, 31);

function version(created: number, expires: number | null): KeyVersion {
  return {
    name: "k",
    version: "0".repeat(32),
    shape: { kty: "EC-HSM", curve: "P-256" },
    publicKey: {},
    keyOps: ["sign"],
    attributes: { enabled: true, notBefore: null, expires, created, updated: created },
    tags: {},
    imported: false,
  };
}

describe("ISO 8601 durations", () => {
  it("parses the forms policies use and refuses others", () => {
    assert.deepEqual(parseIsoDuration("P90D"), {
      years: 0,
      months: 0,
      weeks: 0,
      days: 90,
      hours: 0,
      minutes: 0,
      seconds: 0,
    });
    assert.equal(parseIsoDuration("P1Y10D")?.years, 1);
    assert.equal(parseIsoDuration("PT48H")?.hours, 48);
    assert.equal(parseIsoDuration("P2W")?.weeks, 2);
    for (const bad of ["", "P", "PT", "90D", "P-1D", "P1.5D", "P1DT", "p90d", "P90D "]) {
      assert.equal(parseIsoDuration(bad), undefined, bad);
    }
  });

  it("steps months and years on the calendar, days and hours exactly", () => {
    assert.equal(
      new Date(shiftByDuration(JAN_31, parseIsoDuration("P1M")!, 1)).toISOString(),
      "2025-03-03T00:00:00.000Z",
    );
    assert.equal(shiftByDuration(JAN_31, parseIsoDuration("P1Y")!, 1), Date.UTC(2026, 0, 31));
    assert.equal(shiftByDuration(JAN_31, parseIsoDuration("P10DT12H")!, -1), JAN_31 - 10.5 * DAY);
  });
});

describe("rotation policies", () => {
  it("keeps what the client set", () => {
    const policy = validateRotationPolicy({
      lifetimeActions: [
        { trigger: { timeAfterCreate: "P30D" }, action: { type: "rotate" } },
        { trigger: { timeBeforeExpiry: "P10D" }, action: { type: "Notify" } },
      ],
      attributes: { expiryTime: "P90D" },
    });
    assert.deepEqual(policy, {
      lifetimeActions: [
        { type: "Rotate", timeAfterCreate: "P30D" },
        { type: "Notify", timeBeforeExpiry: "P10D" },
      ],
      expiryTime: "P90D",
    });
  });

  const refusals: Array<[string, Parameters<typeof validateRotationPolicy>[0]]> = [
    ["expiry under 28 days", { attributes: { expiryTime: "P27D" } }],
    ["not a duration", { attributes: { expiryTime: "90 days" } }],
    [
      "trigger under 7 days",
      { lifetimeActions: [{ trigger: { timeAfterCreate: "P6D" }, action: { type: "Rotate" } }] },
    ],
    [
      "both triggers",
      {
        lifetimeActions: [
          { trigger: { timeAfterCreate: "P8D", timeBeforeExpiry: "P8D" }, action: { type: "Rotate" } },
        ],
      },
    ],
    ["no trigger", { lifetimeActions: [{ trigger: {}, action: { type: "Rotate" } }] }],
    [
      "unknown action",
      { lifetimeActions: [{ trigger: { timeAfterCreate: "P8D" }, action: { type: "Explode" } }] },
    ],
    [
      "two rotate actions",
      {
        lifetimeActions: [
          { trigger: { timeAfterCreate: "P8D" }, action: { type: "Rotate" } },
          { trigger: { timeAfterCreate: "P9D" }, action: { type: "Rotate" } },
        ],
      },
    ],
    [
      "rotation too close to expiry",
      {
        lifetimeActions: [{ trigger: { timeAfterCreate: "P25D" }, action: { type: "Rotate" } }],
        attributes: { expiryTime: "P30D" },
      },
    ],
  ];
  for (const [why, input] of refusals) {
    it(`refuses a policy with ${why} (400)`, () => {
      assert.throws(
        () => validateRotationPolicy(input),
        (error: unknown) => error instanceof DomainError && error.code === "BadParameter",
      );
    });
  }

  it("is due timeAfterCreate after the current version was made, or timeBeforeExpiry before it expires", () => {
    const created = Date.UTC(2025, 5, 1);
    const afterCreate = {
      lifetimeActions: [{ type: "Rotate" as const, timeAfterCreate: "P30D" }],
      created: 0,
      updated: 0,
    };
    assert.equal(rotationDueAt(afterCreate, version(created, null)), created + 30 * DAY);
    const beforeExpiry = {
      lifetimeActions: [{ type: "Rotate" as const, timeBeforeExpiry: "P7D" }],
      created: 0,
      updated: 0,
    };
    assert.equal(rotationDueAt(beforeExpiry, version(created, created + 60 * DAY)), created + 53 * DAY);
    assert.equal(
      rotationDueAt(beforeExpiry, version(created, null)),
      undefined,
      "a version that never expires",
    );
    const notifyOnly = {
      lifetimeActions: [{ type: "Notify" as const, timeBeforeExpiry: "P7D" }],
      created: 0,
      updated: 0,
    };
    assert.equal(rotationDueAt(notifyOnly, version(created, created + DAY)), undefined);
    assert.equal(expiryForNewVersion({ ...afterCreate, expiryTime: "P90D" }, created), created + 90 * DAY);
    assert.equal(expiryForNewVersion(afterCreate, created), null);
  });
});
