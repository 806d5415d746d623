/**
 * JSON schemas of the keys request bodies: types and sizes only, checked by Fastify before a
 * handler runs. What the values mean (a known algorithm, a size that fits the key) is the
 * services' business, where the error can name the rule.
 */
const base64 = { type: "string", maxLength: 1_400_000 } as const;
const nullableBoolean = { type: ["boolean", "null"] } as const;
const nullableTime = { type: ["integer", "null"] } as const;

const attributes = {
  type: ["object", "null"],
  properties: { enabled: nullableBoolean, nbf: nullableTime, exp: nullableTime, exportable: nullableBoolean },
} as const;

const tags = {
  type: ["object", "null"],
  additionalProperties: { type: "string" },
  maxProperties: 50,
} as const;
const keyOps = { type: ["array", "null"], items: { type: "string", maxLength: 40 }, maxItems: 20 } as const;
/** What each member means is release/release-settings.ts's business; here only types and sizes. */
const releasePolicy = {
  type: ["object", "null"],
  properties: {
    contentType: { type: ["string", "null"], maxLength: 100 },
    data: { type: ["string", "null"], maxLength: 32_000 },
    immutable: nullableBoolean,
  },
} as const;

export const createKeyBody = {
  type: "object",
  required: ["kty"],
  properties: {
    kty: { type: "string", maxLength: 20 },
    key_size: { type: ["integer", "null"] },
    public_exponent: { type: ["integer", "null"] },
    crv: { type: ["string", "null"], maxLength: 20 },
    key_ops: keyOps,
    attributes,
    tags,
    release_policy: releasePolicy,
  },
} as const;

const jwkMember = { type: "string", maxLength: 4096 } as const;

export const importKeyBody = {
  type: "object",
  required: ["key"],
  properties: {
    key: {
      type: "object",
      properties: {
        kty: { type: "string", maxLength: 20 },
        key_ops: keyOps,
        crv: { type: "string", maxLength: 20 },
        ...Object.fromEntries(
          ["n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k", "key_hsm"].map((m) => [m, jwkMember]),
        ),
      },
    },
    Hsm: nullableBoolean,
    attributes,
    tags,
    release_policy: releasePolicy,
  },
} as const;

export const updateKeyBody = {
  type: "object",
  properties: { key_ops: keyOps, attributes, tags, release_policy: releasePolicy },
} as const;

export const keyOperationBody = {
  type: "object",
  required: ["alg", "value"],
  properties: {
    alg: { type: "string", maxLength: 40 },
    value: base64,
    iv: base64,
    aad: base64,
    tag: base64,
  },
} as const;

export const verifyBody = {
  type: "object",
  required: ["alg", "digest", "value"],
  properties: { alg: { type: "string", maxLength: 40 }, digest: base64, value: base64 },
} as const;

export const restoreBody = {
  type: "object",
  required: ["value"],
  properties: { value: base64 },
} as const;

export const rotationPolicyBody = {
  type: "object",
  properties: {
    lifetimeActions: {
      type: ["array", "null"],
      maxItems: 10,
      items: {
        type: "object",
        properties: {
          trigger: {
            type: ["object", "null"],
            properties: {
              timeAfterCreate: { type: ["string", "null"], maxLength: 40 },
              timeBeforeExpiry: { type: ["string", "null"], maxLength: 40 },
            },
          },
          action: {
            type: ["object", "null"],
            properties: { type: { type: ["string", "null"], maxLength: 20 } },
          },
        },
      },
    },
    attributes: {
      type: ["object", "null"],
      properties: { expiryTime: { type: ["string", "null"], maxLength: 40 } },
    },
  },
} as const;

export const randomBytesBody = {
  type: "object",
  required: ["count"],
  properties: { count: { type: "integer", minimum: 1, maximum: 128 } },
} as const;

/** A release: the attestation token (MAA tokens run to a few kilobytes; 64 KiB is ample). */
export const releaseBody = {
  type: "object",
  required: ["target"],
  properties: {
    target: { type: "string", minLength: 1, maxLength: 65_536 },
    nonce: { type: ["string", "null"], maxLength: 1024 },
    enc: { type: ["string", "null"], maxLength: 40 },
  },
} as const;
