import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import type { ServerProcess } from "../harness/server-process.js";
import { grantAdminKeyRoles } from "../keys/support/roles.js";
import { type Cluster, startCluster } from "../multinode/cluster.js";
import { openRelease } from "./support/independent-unwrap.js";

const V = "api-version=7.5";

describe("secure key release on a two-node HSM (one PostgreSQL database)", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    cluster = await startCluster(2, ["--test-attestation-authority"]);
    [a, b] = cluster.nodes as [ServerProcess, ServerProcess];
    await grantAdminKeyRoles(a);
  });
  after(() => cluster?.dispose());

  it("a token minted on one node releases on the other, and both nodes sign with the same release certificate", async () => {
    const token = await adminToken(a);
    const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const minted = await rawRequest(a, {
      method: "POST",
      path: "/test-attestation/tokens",
      body: {
        claims: { node: "any" },
        runtimeKey: runtime.publicKey.export({ format: "pem", type: "spki" }),
      },
    });
    const issuer = JSON.parse(Buffer.from(minted.json.token.split(".")[1], "base64url").toString())
      .iss as string;
    const policy = {
      version: "1.0.0",
      anyOf: [{ authority: issuer, allOf: [{ claim: "node", equals: "any" }] }],
    };
    const created = await rawRequest(a, {
      method: "POST",
      path: `/keys/shared/create?${V}`,
      token,
      body: {
        kty: "EC",
        crv: "P-256",
        attributes: { exportable: true },
        release_policy: { data: Buffer.from(JSON.stringify(policy)).toString("base64url") },
      },
    });
    assert.equal(created.status, 200, created.text);
    const certificates: string[] = [];
    for (const node of [b, a]) {
      const released = await rawRequest(node, {
        method: "POST",
        path: `/keys/shared/release?${V}`,
        token,
        body: { target: minted.json.token },
      });
      assert.equal(released.status, 200, released.text);
      const opened = openRelease(released.json.value, runtime.privateKey);
      certificates.push((opened.header.x5c as string[])[0] as string);
    }
    assert.equal(certificates[0], certificates[1], "one release signer for the HSM, not one per node");
  });
});
