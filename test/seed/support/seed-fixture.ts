import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase, databaseNameFor } from "../../harness/postgres.js";

export const APP = {
  clientId: "5eed0000-0000-4000-8000-00000000a991",
  objectId: "5eed0000-0000-4000-8000-0000000000b1",
  clientSecret: "app-secret-0123456789-abcdef",
};
export const READER_ROLE_ID = "5eed0000-0000-4000-8000-00000000d3f1";
export const KEYS_READ = "Microsoft.KeyVault/managedHsm/keys/read/action";

export interface SeedFixture {
  dir: string;
  seedFile: string;
  /** The key files' JWKs (private parts included), to compare with what the HSM answers. */
  rsaJwk: Record<string, string>;
  ecJwk: Record<string, string>;
  aesKey: Buffer;
}

/**
 * A seed with every kind of entry: a principal with given ids and secret and one with
 * generated ones, a custom role definition, role assignments by role name, by GUID and to an
 * outside object id, keys generated (EC, RSA) and imported (JWK RSA, PEM EC, JWK AES), a
 * rotation policy and a setting. The key files sit next to the seed, named relative to it.
 */
export async function writeFullSeed(): Promise<SeedFixture> {
  const dir = await mkdtemp(join(tmpdir(), "mhsm-seed-"));
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const rsaJwk = rsa.export({ format: "jwk" }) as Record<string, string>;
  const ec = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
  const ecJwk = ec.export({ format: "jwk" }) as Record<string, string>;
  const aesKey = randomBytes(32);
  await writeFile(join(dir, "rsa.jwk.json"), JSON.stringify(rsaJwk));
  await writeFile(join(dir, "ec.pem"), ec.export({ format: "pem", type: "sec1" }) as string);
  await writeFile(
    join(dir, "aes.jwk.json"),
    JSON.stringify({ kty: "oct-HSM", k: aesKey.toString("base64url"), key_ops: ["wrapKey", "unwrapKey"] }),
  );
  const seed = {
    principals: [{ name: "app", ...APP }, { name: "auditor" }],
    roleDefinitions: [
      {
        name: READER_ROLE_ID,
        roleName: "Seeded Key Reader",
        description: "reads keys, nothing else",
        permissions: [{ dataActions: [KEYS_READ] }],
        assignableScopes: ["/keys"],
      },
      {
        roleName: "Seeded Nothing",
        permissions: [{ dataActions: [] }],
      },
    ],
    roleAssignments: [
      { principal: "app", role: "Managed HSM Crypto User", scope: "/keys" },
      { principal: "app", role: "Managed HSM Crypto Officer", scope: "/keys" },
      { principal: "auditor", role: READER_ROLE_ID, scope: "/keys" },
      { principalId: "5eed0000-0000-4000-8000-0000000000e1", role: "Seeded Nothing", scope: "/" },
    ],
    keys: [
      {
        name: "signing",
        kty: "EC-HSM",
        crv: "P-256",
        key_ops: ["sign", "verify"],
        tags: { team: "payments" },
        rotationPolicy: {
          lifetimeActions: [{ trigger: { timeAfterCreate: "P90D" }, action: { type: "Rotate" } }],
          attributes: { expiryTime: "P1Y" },
        },
      },
      { name: "wrapping", kty: "RSA-HSM", key_size: 3072, attributes: { exp: 4102444800 } },
      { name: "rsa-imported", import: { jwkFile: "rsa.jwk.json" } },
      { name: "ec-imported", import: { pemFile: "ec.pem" }, attributes: { enabled: false } },
      { name: "aes-imported", import: { jwkFile: "aes.jwk.json" } },
    ],
    settings: { AllowKeyManagementOperationsThroughARM: true },
  };
  const seedFile = join(dir, "hsm-seed.json");
  await writeFile(seedFile, JSON.stringify(seed, null, 2));
  return { dir, seedFile, rsaJwk, ecJwk, aesKey };
}

/**
 * `--store` for a server started by hand on `dataDir` (as startServerProcess adds it): on the
 * PostgreSQL pass, the database that data directory has.
 */
export async function storeArgumentsFor(dataDir: string): Promise<string[]> {
  const cluster = process.env.MHSM_TEST_POSTGRES_URL;
  return cluster ? ["--store", await createDatabase(cluster, databaseNameFor(dataDir))] : [];
}
