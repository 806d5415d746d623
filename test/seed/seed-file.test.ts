import assert from "node:assert/strict";
import { createCipheriv, createPublicKey, verify } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { ClientSecretCredential } from "@azure/identity";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { rawRequest } from "../harness/https-client.js";
import { httpClientTrusting } from "../harness/js-sdk.js";
import { adminToken, tokenFor } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { APP, KEYS_READ, READER_ROLE_ID, type SeedFixture, writeFullSeed } from "./support/seed-fixture.js";

const API = "api-version=7.5";
const b64url = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("base64url");

interface SeededCredentials {
  clientId: string;
  clientSecret?: string;
  objectId: string;
}

/**
 * `mhsm serve --seed <file>` with a seed holding every kind of entry, checked the way a client
 * sees the HSM: the official JS keys SDK signed in as the seeded principals, and REST as the
 * initial administrator. Then a restart with the same seed, which must change nothing.
 */
describe("mhsm serve --seed: every kind of entry", { timeout: 300_000 }, () => {
  let fixture: SeedFixture;
  let server: ServerProcess;
  let seeded: Record<string, SeededCredentials>;

  const credentialFor = (principal: { clientId: string; clientSecret?: string }) =>
    new ClientSecretCredential(server.admin.tenantId, principal.clientId, principal.clientSecret ?? "", {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      httpClient: httpClientTrusting(server.ca),
    });
  const clientOptions = () => ({
    disableChallengeResourceVerification: true as const,
    httpClient: httpClientTrusting(server.ca),
  });
  const keyClientFor = (principal: { clientId: string; clientSecret?: string }) =>
    new KeyClient(server.url, credentialFor(principal), clientOptions());
  const cryptoClientFor = (keyId: string, principal: { clientId: string; clientSecret?: string }) =>
    new CryptographyClient(keyId, credentialFor(principal), clientOptions());
  const rest = async (path: string) => {
    const response = await rawRequest(server, {
      path: `${path}${path.includes("?") ? "&" : "?"}${API}`,
      token: await adminToken(server),
    });
    assert.equal(response.status, 200, `${path}: ${response.text}`);
    return response.json;
  };

  before(async () => {
    fixture = await writeFullSeed();
    server = await startServerProcess({ args: ["--seed", fixture.seedFile] });
    seeded = JSON.parse(await readFile(join(server.dataDir, "seeded-principals.json"), "utf8")) as Record<
      string,
      SeededCredentials
    >;
  });
  after(async () => {
    await server?.dispose();
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  it("makes the principals: given ids and secret as given, generated ones in seeded-principals.json", async () => {
    assert.equal(seeded.app?.clientId, APP.clientId);
    assert.equal(seeded.app?.objectId, APP.objectId);
    assert.equal(seeded.app?.clientSecret, APP.clientSecret);
    assert.match(seeded.auditor?.clientSecret ?? "", /^mhsm~/);
    const listed = (await rest("/mhsm/principals")).value as { displayName: string; objectId: string }[];
    assert.deepEqual(
      listed
        .filter((p) => p.displayName !== "initial-admin")
        .map((p) => [p.displayName, p.objectId])
        .sort(),
      [
        ["app", APP.objectId],
        ["auditor", seeded.auditor?.objectId],
      ].sort(),
    );
    // Both sign in at the embedded identity provider.
    await tokenFor(server, APP);
    await tokenFor(server, seeded.auditor as Required<SeededCredentials>);
  });

  it("makes the custom role definitions, under the given GUID or a stable one", async () => {
    const definitions = (await rest("/providers/Microsoft.Authorization/roleDefinitions")).value as {
      name: string;
      properties: {
        roleName: string;
        description: string;
        permissions: { dataActions: string[] }[];
        assignableScopes: string[];
      };
    }[];
    const reader = definitions.find((d) => d.properties.roleName === "Seeded Key Reader");
    assert.equal(reader?.name, READER_ROLE_ID);
    assert.equal(reader?.properties.description, "reads keys, nothing else");
    assert.deepEqual(reader?.properties.permissions[0]?.dataActions, [KEYS_READ]);
    assert.deepEqual(reader?.properties.assignableScopes, ["/keys"]);
    assert.ok(definitions.some((d) => d.properties.roleName === "Seeded Nothing"));
  });

  it("makes the role assignments: app is a Crypto User and Officer, auditor can read keys and not sign", async () => {
    const app = keyClientFor(APP);
    const signing = await app.getKey("signing");
    const digest = Buffer.alloc(32, 7);
    const signed = await cryptoClientFor(signing.id as string, APP).sign("ES256", digest);
    assert.equal(signed.result.length, 64);

    const auditor = seeded.auditor as SeededCredentials;
    assert.equal((await keyClientFor(auditor).getKey("signing")).name, "signing");
    await assert.rejects(cryptoClientFor(signing.id as string, auditor).sign("ES256", digest), (error) => {
      assert.ok(error instanceof RestError && error.statusCode === 403, String(error));
      return true;
    });

    const assignments = (await rest("/providers/Microsoft.Authorization/roleAssignments")).value as {
      properties: { principalId: string; scope: string; roleDefinitionId: string };
    }[];
    const outside = assignments.filter(
      (a) => a.properties.principalId === "5eed0000-0000-4000-8000-0000000000e1",
    );
    assert.equal(outside.length, 1);
    assert.equal(outside[0]?.properties.scope, "/");
  });

  it("generates keys with the type, size, curve, key_ops, tags and attributes given", async () => {
    const app = keyClientFor(APP);
    const signing = await app.getKey("signing");
    assert.equal(signing.keyType, "EC-HSM");
    assert.equal(signing.key?.crv, "P-256");
    assert.deepEqual(signing.keyOperations, ["sign", "verify"]);
    assert.deepEqual(signing.properties.tags, { team: "payments" });
    const wrapping = await app.getKey("wrapping");
    assert.equal(wrapping.keyType, "RSA-HSM");
    assert.equal(wrapping.key?.n?.length, 3072 / 8);
    assert.equal(wrapping.properties.expiresOn?.getTime(), 4102444800 * 1000);
  });

  it("imports keys from a JWK file and a PEM file: the HSM holds the files' key material", async () => {
    const app = keyClientFor(APP);
    const rsa = await app.getKey("rsa-imported");
    assert.equal(b64url(rsa.key?.n), fixture.rsaJwk.n);
    // A signature the HSM makes verifies under the file's public key (and not for another message).
    const filePublic = createPublicKey({ key: fixture.rsaJwk, format: "jwk" });
    const message = Buffer.from("seeded");
    const { result } = await cryptoClientFor(rsa.id as string, APP).signData("RS256", message);
    assert.ok(verify("sha256", message, filePublic, result));
    assert.ok(!verify("sha256", Buffer.from("other"), filePublic, result));

    const ec = await app.getKey("ec-imported");
    assert.equal(ec.key?.crv, "P-384");
    assert.equal(b64url(ec.key?.x), fixture.ecJwk.x);
    assert.equal(b64url(ec.key?.y), fixture.ecJwk.y);
    assert.equal(ec.properties.enabled, false);

    // The AES key: the HSM's wrap equals AES key wrap (RFC 3394) under the file's key.
    const aes = await app.getKey("aes-imported");
    assert.equal(aes.keyType, "oct-HSM");
    assert.deepEqual(aes.keyOperations, ["wrapKey", "unwrapKey"]);
    const plain = Buffer.alloc(32, 9);
    const wrapped = await cryptoClientFor(aes.id as string, APP).wrapKey("A256KW", plain);
    const cipher = createCipheriv("id-aes256-wrap", fixture.aesKey, Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
    assert.equal(
      b64url(wrapped.result),
      Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64url"),
    );
  });

  it("sets the rotation policy and the setting", async () => {
    const policy = await keyClientFor(APP).getKeyRotationPolicy("signing");
    assert.equal(policy.expiresIn, "P1Y");
    assert.deepEqual(
      policy.lifetimeActions?.map((a) => [a.action, a.timeAfterCreate]),
      [["Rotate", "P90D"]],
    );
    const setting = await rest("/settings/AllowKeyManagementOperationsThroughARM");
    assert.equal(setting.value, "true");
  });

  it("records each write in the audit log, as the API would, with the seed as caller and no secret", async () => {
    const text = await readFile(join(server.dataDir, "audit.log"), "utf8");
    const writes = seedRecords(text).map((r) => [r.operation, r.method, r.path, r.target, r.status]);
    const assignment = (scope: string) => [
      "RoleAssignments_Create",
      "PUT",
      (path: string) =>
        path.startsWith(`${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/`),
      scope,
      201,
    ];
    const expected = [
      [
        "RoleDefinitions_CreateOrUpdate",
        "PUT",
        `/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE_ID}`,
        "/",
        201,
      ],
      [
        "RoleDefinitions_CreateOrUpdate",
        "PUT",
        (path: string) => path.startsWith("/providers/Microsoft.Authorization/roleDefinitions/"),
        "/",
        201,
      ],
      ["Principals_Create", "POST", "/mhsm/principals", "/", 201],
      ["Principals_Create", "POST", "/mhsm/principals", "/", 201],
      assignment("/keys"),
      assignment("/keys"),
      assignment("/keys"),
      assignment("/"),
      ["CreateKey", "POST", "/keys/signing/create", "/keys/signing", 200],
      ["UpdateKeyRotationPolicy", "PUT", "/keys/signing/rotationpolicy", "/keys/signing", 200],
      ["CreateKey", "POST", "/keys/wrapping/create", "/keys/wrapping", 200],
      ["ImportKey", "PUT", "/keys/rsa-imported", "/keys/rsa-imported", 200],
      ["ImportKey", "PUT", "/keys/ec-imported", "/keys/ec-imported", 200],
      ["ImportKey", "PUT", "/keys/aes-imported", "/keys/aes-imported", 200],
      ["UpdateSetting", "PATCH", "/settings/AllowKeyManagementOperationsThroughARM", "/", 200],
    ];
    assert.equal(writes.length, expected.length, JSON.stringify(writes, null, 1));
    expected.forEach((want, i) => {
      want.forEach((field, j) => {
        const got = (writes[i] as unknown[])[j];
        if (typeof field === "function")
          assert.ok(field(String(got)), `record ${i} field ${j}: ${String(got)}`);
        else assert.equal(got, field, `record ${i} field ${j}`);
      });
    });
    // The records name no secret: neither a given client secret nor a generated one, nor key material.
    for (const secret of [
      APP.clientSecret,
      seeded.auditor?.clientSecret as string,
      fixture.rsaJwk.d as string,
    ]) {
      assert.ok(!text.includes(secret), "a secret in the audit log");
    }
  });

  it("a second start with the same seed changes nothing; the generated secret still signs in", async () => {
    const before = await snapshot();
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir, args: ["--seed", fixture.seedFile] });
    const after = await snapshot();
    assert.deepEqual(after, before);
    const again = JSON.parse(
      await readFile(join(server.dataDir, "seeded-principals.json"), "utf8"),
    ) as Record<string, SeededCredentials>;
    assert.equal(again.auditor?.clientSecret, seeded.auditor?.clientSecret);
    assert.equal((await keyClientFor(again.auditor as SeededCredentials).getKey("signing")).name, "signing");
    // What it found already so it left alone, and left out of the audit log.
    const records = seedRecords(await readFile(join(server.dataDir, "audit.log"), "utf8"));
    assert.deepEqual(
      records.slice(15).map((r) => r.operation),
      [],
    );
  });

  /** The audit records of the seed's writes, in order. */
  function seedRecords(text: string) {
    return text
      .split("\n")
      .filter((line) => line.trim())
      .map(
        (line) =>
          JSON.parse(line) as {
            caller: { appId?: string } | null;
            operation: string;
            method: string;
            path: string;
            target: string;
            status: number;
          },
      )
      .filter((record) => record.caller?.appId === "mhsm-seed");
  }

  /** Everything the seed touched, as clients read it, with this start's URL taken out. */
  async function snapshot(): Promise<unknown> {
    const app = keyClientFor(APP);
    const versions: Record<string, unknown[]> = {};
    for (const name of ["signing", "wrapping", "rsa-imported", "ec-imported", "aes-imported"]) {
      versions[name] = [];
      for await (const version of app.listPropertiesOfKeyVersions(name)) {
        versions[name].push([
          version.version,
          version.createdOn?.getTime(),
          version.updatedOn?.getTime(),
          version.enabled,
        ]);
      }
    }
    const policy = await app.getKeyRotationPolicy("signing");
    const state = {
      versions,
      policy: [policy.id, policy.createdOn?.getTime(), policy.updatedOn?.getTime(), policy.expiresIn],
      principals: await rest("/mhsm/principals"),
      definitions: await rest("/providers/Microsoft.Authorization/roleDefinitions"),
      assignments: await rest("/providers/Microsoft.Authorization/roleAssignments"),
      settings: await rest("/settings"),
    };
    return JSON.parse(JSON.stringify(state).replaceAll(server.url, "<url>"));
  }
});
