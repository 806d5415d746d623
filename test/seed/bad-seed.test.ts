import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import {
  type ServerProcess,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { storeArgumentsFor } from "./support/seed-fixture.js";

const rsaPrivate = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const rsaPrivateJwk = rsaPrivate.export({ format: "jwk" }) as Record<string, string>;
const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPublicJwk } = rsaPrivateJwk;
const ecPublicPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
  format: "pem",
  type: "spki",
}) as string;
const SHORT_SECRET = "tooShort1";

/** Each: a seed (and the files next to it), and what the error must say, entry first. */
const BAD_SEEDS: Array<{ what: string; seed: unknown; files?: Record<string, string>; error: RegExp }> = [
  {
    what: "an unknown key type, third entry",
    seed: {
      keys: [
        { name: "a", kty: "RSA" },
        { name: "b", kty: "EC" },
        { name: "c", kty: "XYZ" },
      ],
    },
    error: /: keys\[2\]: kty 'XYZ' is not a key type this HSM holds/,
  },
  {
    what: "an RSA size the HSM has not",
    seed: { keys: [{ name: "a", kty: "RSA", key_size: 1000 }] },
    error: /: keys\[0\]: key_size 1000 is not valid for RSA-HSM/,
  },
  {
    what: "a key name with a space",
    seed: { keys: [{ name: "a b", kty: "RSA" }] },
    error: /: keys\[0\]\.name: must be 1 to 127 letters/,
  },
  {
    what: "a generated key without kty",
    seed: { keys: [{ name: "a" }] },
    error: /: keys\[0\]\.kty: a generated key needs kty/,
  },
  {
    what: "an imported key with a kty",
    seed: { keys: [{ name: "a", kty: "RSA", import: { jwkFile: "k.json" } }] },
    files: { "k.json": JSON.stringify(rsaPrivateJwk) },
    error: /: keys\[0\]\.kty: an imported key takes its type and size from its file/,
  },
  {
    what: "two import sources",
    seed: { keys: [{ name: "a", import: { jwkFile: "k.json", pemFile: "k.pem" } }] },
    error: /: keys\[0\]\.import: give exactly one of jwkFile and pemFile/,
  },
  {
    what: "a JWK file that is missing",
    seed: { keys: [{ name: "a", import: { jwkFile: "none.json" } }] },
    error: /: keys\[0\]\.import: .*no such file/,
  },
  {
    what: "a JWK file that is not JSON (its text is not repeated)",
    seed: { keys: [{ name: "a", import: { jwkFile: "k.json" } }] },
    files: { "k.json": `{"kty":"oct","k":"${"S3CR3T".repeat(4)}"` },
    error: /: keys\[0\]\.import: jwkFile k\.json is not JSON$/m,
  },
  {
    what: "a JWK without its private part",
    seed: { keys: [{ name: "a", import: { jwkFile: "k.json" } }] },
    files: { "k.json": JSON.stringify(rsaPublicJwk) },
    error: /: keys\[0\]: .*(private|d)\b/,
  },
  {
    what: "a PEM public key",
    seed: { keys: [{ name: "a", import: { pemFile: "k.pem" } }] },
    files: { "k.pem": ecPublicPem },
    error: /: keys\[0\]\.import: pemFile k\.pem is not a PEM private key/,
  },
  {
    what: "key_ops an EC key cannot do",
    seed: { keys: [{ name: "a", kty: "EC", key_ops: ["encrypt"] }] },
    error: /: keys\[0\]: .*encrypt/,
  },
  {
    what: "a rotation policy with too short an expiry",
    seed: { keys: [{ name: "a", kty: "EC", rotationPolicy: { attributes: { expiryTime: "P1D" } } }] },
    error: /: keys\[0\]\.rotationPolicy: The policy's expiryTime must be at least 28 days/,
  },
  {
    what: "a key declared twice (names are case-insensitive)",
    seed: {
      keys: [
        { name: "a", kty: "EC" },
        { name: "A", kty: "EC" },
      ],
    },
    error: /: keys\[1\]\.name: 'A' is declared twice \(first at keys\[0\]\)/,
  },
  {
    what: "an assignment to a principal the seed has not",
    seed: { roleAssignments: [{ principal: "nobody", role: "Managed HSM Crypto User" }] },
    error: /: roleAssignments\[0\]\.principal: no principal named 'nobody'/,
  },
  {
    what: "an assignment of a role that does not exist",
    seed: {
      roleAssignments: [{ principalId: "5eed0000-0000-4000-8000-000000000001", role: "No Such Role" }],
    },
    error: /: roleAssignments\[0\]\.role: no role definition named 'No Such Role'/,
  },
  {
    what: "an assignment at a scope that is none",
    seed: {
      roleAssignments: [
        {
          principalId: "5eed0000-0000-4000-8000-000000000001",
          role: "Managed HSM Crypto User",
          scope: "/secrets",
        },
      ],
    },
    error: /: roleAssignments\[0\]\.scope: The scope '\/secrets' is not valid/,
  },
  {
    what: "an assignment naming both a principal and a principal id",
    seed: {
      principals: [{ name: "p" }],
      roleAssignments: [
        {
          principal: "p",
          principalId: "5eed0000-0000-4000-8000-000000000001",
          role: "Managed HSM Crypto User",
        },
      ],
    },
    error: /: roleAssignments\[0\]: give exactly one of principal .* and principalId/,
  },
  {
    what: "a custom role named like a built-in one",
    seed: { roleDefinitions: [{ roleName: "Managed HSM Crypto User", permissions: [{ dataActions: [] }] }] },
    error: /: roleDefinitions\[0\]\.roleName: 'Managed HSM Crypto User' is a built-in role/,
  },
  {
    what: "a principal id that is no GUID",
    seed: { principals: [{ name: "p", objectId: "not-a-guid" }] },
    error: /: principals\[0\]\.objectId: must be a GUID/,
  },
  {
    what: "a principal secret too short (not repeated)",
    seed: { principals: [{ name: "p", clientSecret: SHORT_SECRET }] },
    error: /: principals\[0\]: clientSecret must be 16 to 256 printable ASCII characters/,
  },
  {
    what: "a setting the HSM has not",
    seed: { settings: { Nope: "true" } },
    error: /: settings\.Nope: Setting 'Nope' does not exist/,
  },
  {
    what: "a setting value of the wrong type",
    seed: { settings: { AllowKeyManagementOperationsThroughARM: 3 } },
    error: /: settings\.AllowKeyManagementOperationsThroughARM: /,
  },
  { what: "an unknown top-level member", seed: { secrets: [] }, error: /: Unrecognized key: "secrets"/ },
  { what: "not an object", seed: [], error: /: expected object/i },
];

/**
 * A seed that cannot be applied stops `mhsm serve` before it listens, with exit code 2 and a
 * message naming the file and the entry; nothing of it is applied, and no secret is repeated.
 */
describe("mhsm serve --seed: bad seeds", { timeout: 600_000 }, () => {
  let dir: string;
  let dataDir: string;
  let store: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-bad-seed-"));
    dataDir = join(dir, "data");
    store = await storeArgumentsFor(dataDir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let count = 0;
  async function serveWithSeed(seedText: string, files: Record<string, string> = {}) {
    const seedDir = join(dir, `seed-${count++}`);
    await mkdir(seedDir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(seedDir, name), content);
    const seedFile = join(seedDir, "seed.json");
    await writeFile(seedFile, seedText);
    return {
      seedFile,
      result: await runServeExpectingFailure([...store, "--data-dir", dataDir, "--seed", seedFile]),
    };
  }

  for (const bad of BAD_SEEDS) {
    it(`refuses ${bad.what}`, async () => {
      const { seedFile, result } = await serveWithSeed(JSON.stringify(bad.seed), bad.files);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.doesNotMatch(result.stdout, /listening on/);
      assert.ok(result.stderr.startsWith(`mhsm serve: seed file ${seedFile}`), result.stderr);
      assert.match(result.stderr, bad.error);
      assert.doesNotMatch(result.stderr, /S3CR3T|tooShort1/);
    });
  }

  it("refuses a file that is not JSON, and one larger than 16 MiB", async () => {
    const notJson = await serveWithSeed('{"keys": [');
    assert.equal(notJson.result.code, 2);
    assert.match(notJson.result.stderr, /: not JSON: /);
    const huge = await serveWithSeed(JSON.stringify({ $schema: "x".repeat(17 * 1024 * 1024) }));
    assert.equal(huge.result.code, 2);
    assert.match(huge.result.stderr, /is larger than 16777216 bytes/);
  });

  describe("on an HSM that exists", () => {
    let server: ServerProcess;
    const state = async () => {
      const token = await adminToken(server);
      const get = async (path: string) => (await rawRequest(server, { path, token })).json;
      return {
        principals: await get("/mhsm/principals"),
        definitions: await get("/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5"),
        assignments: await get("/providers/Microsoft.Authorization/roleAssignments?api-version=7.5"),
        good: (await rawRequest(server, { path: "/keys/good?api-version=7.5", token })).status,
      };
    };

    before(async () => {
      server = await startServerProcess({ dataDir: join(dir, "existing") });
      // The administrator may then read keys: whether the seed's key exists is seen, not a 403.
      await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
    });
    after(() => server?.dispose());

    it("applies nothing of a seed whose last entry is bad", async () => {
      const before = await state();
      await server.stop();
      const seed = {
        principals: [{ name: "would-be" }],
        roleDefinitions: [{ roleName: "Would Be", permissions: [{ dataActions: [] }] }],
        roleAssignments: [{ principal: "would-be", role: "Managed HSM Crypto User" }],
        keys: [
          { name: "good", kty: "EC" },
          { name: "bad", kty: "RSA", key_size: 1 },
        ],
      };
      const seedFile = join(dir, "last-bad.json");
      await writeFile(seedFile, JSON.stringify(seed));
      const failed = await runServeExpectingFailure([
        ...(await storeArgumentsFor(server.dataDir)),
        "--data-dir",
        server.dataDir,
        "--seed",
        seedFile,
      ]);
      assert.equal(failed.code, 2, failed.stderr);
      assert.match(failed.stderr, /: keys\[1\]: key_size 1 is not valid/);
      server = await startServerProcess({ dataDir: server.dataDir });
      const after = await state();
      assert.equal(after.good, 404);
      assert.deepEqual(after, before);
    });

    it("refuses a seed that would change a seeded principal's secret, naming neither secret", async () => {
      const first = `first-${randomBytes(12).toString("hex")}`;
      const second = `second-${randomBytes(12).toString("hex")}`;
      const seedFile = join(dir, "secret.json");
      const principal = {
        name: "svc",
        clientId: "5eed0000-0000-4000-8000-00000000c001",
        clientSecret: first,
      };
      await writeFile(seedFile, JSON.stringify({ principals: [principal] }));
      await server.stop();
      server = await startServerProcess({ dataDir: server.dataDir, args: ["--seed", seedFile] });
      await server.stop();
      await writeFile(seedFile, JSON.stringify({ principals: [{ ...principal, clientSecret: second }] }));
      const failed = await runServeExpectingFailure([
        ...(await storeArgumentsFor(server.dataDir)),
        "--data-dir",
        server.dataDir,
        "--seed",
        seedFile,
      ]);
      assert.equal(failed.code, 2, failed.stderr);
      assert.match(failed.stderr, /: principals\[0\]: clientSecret: differs from the existing principal's/);
      assert.ok(!failed.stderr.includes(first) && !failed.stderr.includes(second), "a secret was printed");
      server = await startServerProcess({ dataDir: server.dataDir });
    });
  });
});
