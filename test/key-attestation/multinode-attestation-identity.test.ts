import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { type Cluster, startCluster } from "../multinode/cluster.js";
import { pemCertificates } from "./support/attestation-openssl.js";

/**
 * Two nodes of one HSM on one PostgreSQL database: the first attestation requests reach both
 * nodes at once, each node makes a candidate identity, one is stored (insert-if-absent), and both
 * answer with it from then on.
 */
describe(
  "the attestation identity across the nodes of one HSM",
  {
    skip: process.env.MHSM_TEST_POSTGRES_URL
      ? false
      : "several nodes need PostgreSQL: this runs in the PostgreSQL pass",
  },
  () => {
    let cluster: Cluster;
    let a: ServerProcess;
    let b: ServerProcess;
    let token: string;

    before(async () => {
      cluster = await startCluster(2);
      [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
      await assignRole(a, a.admin.objectId, ROLE.cryptoOfficer);
      await assignRole(a, a.admin.objectId, ROLE.cryptoUser);
      token = await adminToken(a);
      const created = await rawRequest(a, {
        method: "POST",
        path: "/keys/shared/create?api-version=7.6",
        token,
        body: { kty: "EC", crv: "P-256" },
      });
      assert.equal(created.status, 200, created.text);
    });
    after(() => cluster?.dispose());

    const chainFrom = async (node: ServerProcess) => {
      const response = await rawRequest(node, { path: "/keys/shared/attestation?api-version=7.6", token });
      assert.equal(response.status, 200, response.text);
      return pemCertificates(
        Buffer.from(response.json.attributes.attestation.certificatePemFile, "base64url"),
      );
    };

    it("both nodes, asked at once before either has an identity, answer with the same chain", async () => {
      const chains = await Promise.all([a, b, a, b].map((node) => chainFrom(node)));
      for (const chain of chains) assert.deepEqual(chain, chains[0]);
      assert.equal(chains[0]?.length, 2);
    });

    it("a restarted node answers with the same chain", async () => {
      const before = await chainFrom(b);
      await b.stop();
      b = await cluster.restart(1);
      assert.deepEqual(await chainFrom(b), before);
    });
  },
);
