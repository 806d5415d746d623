import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { access, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { type Postgres, createDatabase, startPostgres } from "../harness/postgres.js";
import { adminToken, tokenFor } from "../harness/principals.js";
import {
  type InitialAdmin,
  type ServerProcess,
  runMhsm,
  startServerProcess,
} from "../harness/server-process.js";
import { PUBLIC_URL } from "./cluster.js";

describe("nodes starting on a new PostgreSQL database; mhsm migrate", () => {
  let postgres: Postgres | undefined;
  let cluster: string;
  const nodes: ServerProcess[] = [];

  before(async () => {
    cluster = process.env.MHSM_TEST_POSTGRES_URL ?? (postgres = await startPostgres()).url;
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    postgres?.stop();
  });

  it("brings a schema up to date with mhsm migrate, and again without change", async () => {
    const store = await createDatabase(cluster, `mhsm_migrate_${process.pid}`);
    const first = await runMhsm(["migrate", "--store", store]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /schema of postgres:\/\/mhsm@127\.0\.0\.1:\d+\/mhsm_migrate_\d+ is up to date/,
    );
    const second = await runMhsm(["migrate", "--store", store]);
    assert.equal(second.code, 0, second.stderr);
    const broken = await runMhsm(["migrate", "--store", "postgres://mhsm@127.0.0.1:1/none"]);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /migration failed/);
  });

  it("starts three nodes at once on a new database: one migration, one initial administrator, one HSM", async () => {
    const store = await createDatabase(cluster, `mhsm_race_${process.pid}`);
    // The operator hands every node the same keys before the first start.
    const domainKey = `mhsm-domain-key v1 ${randomBytes(32).toString("base64")}\n`;
    const nodeKey = `mhsm-node-key v1 ${randomBytes(32).toString("base64")}\n`;
    const dataDirs = await Promise.all([1, 2, 3].map(() => mkdtemp(join(tmpdir(), "mhsm-race-"))));
    for (const dir of dataDirs) {
      await writeFile(join(dir, "domain.key"), domainKey, { mode: 0o600 });
      await writeFile(join(dir, "node.key"), nodeKey, { mode: 0o600 });
    }
    const placeholder: InitialAdmin = {
      tenantId: "",
      clientId: "",
      clientSecret: "",
      objectId: "",
      tokenEndpoint: "",
      vaultUrl: "",
      caFile: "",
    };
    nodes.push(
      ...(await Promise.all(
        dataDirs.map((dataDir) =>
          startServerProcess({
            dataDir,
            args: ["--store", store, "--public-url", PUBLIC_URL],
            admin: placeholder,
          }),
        ),
      )),
    );
    const withAdminFile: string[] = [];
    for (const dir of dataDirs) {
      if (
        await access(join(dir, "initial-admin.json")).then(
          () => true,
          () => false,
        )
      )
        withAdminFile.push(dir);
    }
    assert.equal(withAdminFile.length, 1, "exactly one node made the initial administrator");
    const admin = JSON.parse(
      await import("node:fs/promises").then((fs) =>
        fs.readFile(join(withAdminFile[0] as string, "initial-admin.json"), "utf8"),
      ),
    ) as InitialAdmin;
    for (const node of nodes) {
      const token = await tokenFor(node, admin);
      const principals = await rawRequest(node, { path: "/mhsm/principals", token });
      assert.equal(principals.status, 200, principals.text);
      assert.equal(
        principals.json.value.filter((p: { displayName: string }) => p.displayName === "initial-admin")
          .length,
        1,
      );
    }
    void adminToken;
  });
});
