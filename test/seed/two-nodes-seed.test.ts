import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type Cluster, startCluster } from "../multinode/cluster.js";
import { type SeedFixture, writeFullSeed } from "./support/seed-fixture.js";

/**
 * Two nodes of one HSM (one PostgreSQL database) starting at the same moment with the same seed:
 * both start, and every entry exists once (one principal per name, one assignment per grant,
 * one version per key), as after a single start.
 */
describe("mhsm serve --seed on two nodes starting together", { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let fixture: SeedFixture;

  before(async () => {
    fixture = await writeFullSeed();
    cluster = await startCluster(1);
  });
  after(async () => {
    await cluster?.dispose();
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  it("both start, and each entry exists once", async () => {
    const seed = ["--seed", fixture.seedFile];
    const [a] = await Promise.all([cluster.addNode(seed), cluster.addNode(seed)]);
    const token = await adminToken(a);
    const get = async (path: string) => (await rawRequest(a, { path, token })).json;
    const principals = (await get("/mhsm/principals")).value as { displayName: string }[];
    assert.deepEqual(
      principals.map((p) => p.displayName).sort(),
      ["app", "auditor", "initial-admin"],
      "one principal per seeded name",
    );
    const assignments = (await get("/providers/Microsoft.Authorization/roleAssignments?api-version=7.5"))
      .value as {
      properties: { principalId: string; scope: string; roleDefinitionId: string };
    }[];
    const grants = assignments.map(
      (x) => `${x.properties.principalId} ${x.properties.scope} ${x.properties.roleDefinitionId}`,
    );
    assert.equal(new Set(grants).size, grants.length, `no grant twice:\n${grants.join("\n")}`);
    const definitions = (await get("/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5"))
      .value as {
      properties: { roleName: string };
    }[];
    assert.equal(definitions.filter((d) => d.properties.roleName === "Seeded Nothing").length, 1);
  });
});
