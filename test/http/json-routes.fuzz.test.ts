import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { type RunningServer, parseServerConfig, startServer } from "../../packages/server/src/index.js";
import { fuzzParameters } from "../harness/fuzz.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { createDatabase, databaseNameFor } from "../harness/postgres.js";
import type { InitialAdmin } from "../harness/server-process.js";

/**
 * Every route that takes a JSON body, from the server's own route table (a new route cannot
 * escape), gets bodies generated from its JSON schema and hostile variants of them. Whatever
 * arrives: no 5xx, a Key Vault error body on every 4xx, and a 4xx changes nothing observable.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  maxItems?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
};

const ROLE_DEFINITIONS = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
const KEYS = ["fuzz-ec", "fuzz-rsa", "fuzz-oct"];

/** A value the schema (roughly) accepts: what reaches the handlers rather than the validator. */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ["object"];
  return fc.oneof(...types.map((type) => ofType(type, schema, depth)));
}

function ofType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 }),
        fc.constantFrom(0, 1, 2048, 3072, 4096, 65537, 128, 256),
      );
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "string":
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) }),
        // Values the handlers know, so some requests get past the first check.
        fc.constantFrom(
          "EC-HSM",
          "RSA-HSM",
          "oct-HSM",
          "P-256",
          "RSA-OAEP-256",
          "ES256",
          "PS256",
          "A256GCM",
          "A256KW",
          "sign",
          "verify",
          "wrapKey",
          "AAECAwQFBgcICQoLDA0ODw",
          "P30D",
          "file:///nonexistent",
          `${ROLE_DEFINITIONS}/${CRYPTO_USER}`,
          "00000000-0000-0000-0000-000000000000",
          "true",
        ),
      );
    case "array":
      return fc.array(fromSchema(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    default: {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = fromSchema(property, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((key) => key in record) });
    }
  }
}

/** Values no schema wants: the wrong type, far too big, too deep, broken unicode, out of range. */
const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, "", [], {}, [null]),
  fc.constant("x".repeat(200_000)),
  fc.constant("\ud800\udfff\ud800"),
  fc.constant("\u0000\u202e\ufeff𝄞"),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
  fc.constant(Array.from({ length: 2000 }, () => "a")),
  fc.constant(JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`) as unknown),
  fc.constant(JSON.parse(`${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`) as unknown),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Replaces one property (at any depth) of a generated body with a hostile value. */
function mutate(value: unknown, path: number[], leaf: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== "object") return leaf;
  const keys = Object.keys(value);
  if (keys.length === 0) return leaf;
  const key = keys[(path[0] as number) % keys.length] as string;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  copy[key] = mutate((value as Record<string, unknown>)[key], path.slice(1), leaf);
  return copy;
}

/** The request body as raw JSON text: most through JSON.stringify, some only text can say. */
function bodies(schema: Schema): fc.Arbitrary<string> {
  const valid = fromSchema(schema);
  const firstProperty = Object.keys(schema.properties ?? {})[0] ?? "a";
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => JSON.stringify(v)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(valid, fc.array(fc.nat(), { maxLength: 4 }), hostileLeaf)
        .map(([v, path, leaf]) => JSON.stringify(mutate(v, path, leaf))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom(
            '"__proto__":{"polluted":true}',
            '"constructor":{"prototype":{"polluted":true}}',
            '"prototype":{"polluted":true}',
            `"${firstProperty}":1,"${firstProperty}":"x"`,
            `"${firstProperty}":null,"${firstProperty}":{"__proto__":{"polluted":true}}`,
            '"n":1e99999',
            '"n":-1e-99999',
            '"n":123456789012345678901234567890',
          ),
        )
        .map(([v, extra]) => {
          const text = JSON.stringify(v);
          return text.startsWith("{") && text !== "{}" ? `{${extra},${text.slice(1)}` : `{${extra}}`;
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "[]",
        "null",
        "1",
        '"string"',
        "true",
        "{",
        '{"a":}',
        '{"a":"\\ud800"}',
        "\ufeff{}",
        `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      ),
    },
  );
}

describe("every JSON route, fuzzed from its schema", () => {
  let server: RunningServer;
  let dataDir: string;
  let target: { url: string; ca: string };
  let token: string;
  let versions: Record<string, string>;

  const call = (method: string, path: string, body?: string): Promise<RawResponse> =>
    rawRequest(target, { method, path, token, body, headers: { "content-type": "application/json" } });

  /** What a 4xx must leave unchanged: keys, deleted keys, role assignments and definitions, settings. */
  async function snapshot(): Promise<string> {
    const paths = [
      "/keys?api-version=7.4&maxresults=25",
      "/deletedkeys?api-version=7.4&maxresults=25",
      "/providers/Microsoft.Authorization/roleAssignments?api-version=7.4",
      "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      "/keys/providers/Microsoft.Authorization/roleDefinitions?api-version=7.4",
      "/settings?api-version=7.5",
      ...KEYS.map((name) => `/keys/${name}?api-version=7.4`),
      ...KEYS.map((name) => `/keys/${name}/rotationpolicy?api-version=7.4`),
    ];
    const parts: unknown[] = [];
    for (const path of paths) {
      const response = await call("GET", path);
      parts.push([path, response.status, response.json]);
    }
    return JSON.stringify(parts);
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mhsm-fuzz-"));
    const cluster = process.env.MHSM_TEST_POSTGRES_URL;
    const store = cluster ? await createDatabase(cluster, databaseNameFor(dataDir)) : "sqlite";
    server = await startServer(parseServerConfig({ dataDir, port: 0, logLevel: "silent", store }));
    const admin = JSON.parse(await readFile(server.initialAdminFile, "utf8")) as InitialAdmin;
    target = { url: server.listenUrl, ca: await readFile(admin.caFile, "utf8") };
    const tokenResponse = await rawRequest(target, {
      method: "POST",
      path: new URL(admin.tokenEndpoint).pathname,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: admin.clientId,
        client_secret: admin.clientSecret,
        scope: "https://managedhsm.azure.net/.default",
      }).toString(),
    });
    assert.equal(tokenResponse.status, 200, tokenResponse.text);
    token = tokenResponse.json.access_token as string;
    for (const [role, name] of [
      [CRYPTO_USER, "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"],
      [CRYPTO_OFFICER, "7f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"],
    ]) {
      const granted = await call(
        "PUT",
        `/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=7.4`,
        JSON.stringify({
          properties: { roleDefinitionId: `${ROLE_DEFINITIONS}/${role}`, principalId: admin.objectId },
        }),
      );
      assert.equal(granted.status, 201, granted.text);
    }
    versions = {};
    for (const [name, body] of [
      ["fuzz-ec", { kty: "EC-HSM", crv: "P-256" }],
      ["fuzz-rsa", { kty: "RSA-HSM", key_size: 2048 }],
      ["fuzz-oct", { kty: "oct-HSM", key_size: 256 }],
    ] as const) {
      const created = await call("POST", `/keys/${name}/create?api-version=7.4`, JSON.stringify(body));
      assert.equal(created.status, 200, created.text);
      versions[name] = String(created.json.key.kid).split("/").pop() as string;
    }
  });
  after(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers every generated body with no 5xx, a Key Vault error on 4xx, and no change on 4xx", async () => {
    const jsonRoutes = server.routes.filter(
      (route) => route.kind === "authorized" && route.schema?.body !== undefined,
    );
    // The route table is what is fuzzed: it must hold the routes we know take JSON.
    assert.ok(jsonRoutes.length >= 30, `only ${jsonRoutes.length} JSON routes`);
    const failures: string[] = [];
    let baseline = await snapshot();
    for (const route of jsonRoutes) {
      const pathFor = fc.record({
        keyName: fc.constantFrom(...KEYS, "no-such-key"),
        guid: fc.uuid({ version: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(pathFor, bodies(route.schema?.body as Schema), async (params, body) => {
          const path =
            route.url
              .replace(":keyName", params.keyName)
              .replace(":keyVersion", versions[params.keyName] ?? "0123456789abcdef0123456789abcdef")
              .replace(":roleDefinitionName", params.guid)
              .replace(":roleAssignmentName", params.guid)
              .replace(":settingName", "AllowKeyManagementOperationsThroughARM") + "?api-version=7.6";
          const response = await call(route.method, path, body);
          const where = `${route.method} ${path} with ${body.slice(0, 200)}: ${response.status} ${response.text.slice(0, 300)}`;
          // 501 is the designed answer of the routes that need an attestation service.
          const designed501 = response.status === 501 && response.json?.error?.code === "NotImplemented";
          if (response.status >= 500 && !designed501) {
            failures.push(where);
            return;
          }
          if (response.status < 400) {
            baseline = await snapshot();
            return;
          }
          assert.equal(typeof response.json?.error?.code, "string", where);
          assert.equal(typeof response.json?.error?.message, "string", where);
          assert.equal(await snapshot(), baseline, `state changed on a ${response.status}: ${where}`);
        }),
        fuzzParameters(8),
      );
    }
    assert.deepEqual(failures, []);
  });
});
