import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { openRelease } from "./support/independent-unwrap.js";

describe("a full backup and restore keeps each version's exportable flag and release policy (they ride in the key rows)", () => {
  let fx: KeysFixture;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "mhsm-release-backups-"));
    fx = await startKeysServer({ args: ["--test-attestation-authority", "--local-backup-root", root] });
  });
  after(async () => {
    await fx?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it("restores an exportable key with its immutable policy, and it is released as before", async () => {
    const authority = `${fx.server.url}/test-attestation/`;
    const policy = {
      version: "1.0.0",
      anyOf: [{ authority, allOf: [{ claim: "stage", equals: "backup" }] }],
    };
    const created = await fx.keyClient.createRsaKey("kept", {
      exportable: true,
      releasePolicy: { encodedPolicy: new TextEncoder().encode(JSON.stringify(policy)), immutable: true },
    });
    const accepted = await fx.request("POST", "/backup", { storageResourceUri: pathToFileURL(root).href });
    assert.equal(accepted.status, 202, accepted.text);
    const backedUp = await waitForJob(fx.server, fx.token, accepted);
    assert.equal(backedUp.json.status, "Succeeded", backedUp.text);
    const folder = String(backedUp.json.azureStorageBlobContainerUri).split("/").pop() as string;

    await (await fx.keyClient.beginDeleteKey("kept", { intervalInMs: 10 })).pollUntilDone();
    await fx.keyClient.purgeDeletedKey("kept");
    const restoring = await fx.request("PUT", "/restore", {
      sasTokenParameters: { storageResourceUri: pathToFileURL(root).href },
      folderToRestore: folder,
    });
    assert.equal(restoring.status, 202, restoring.text);
    const restored = await waitForJob(fx.server, fx.token, restoring);
    assert.equal(restored.json.status, "Succeeded", restored.text);

    const key = await fx.keyClient.getKey("kept");
    assert.equal(key.properties.version, created.properties.version);
    assert.equal(key.properties.exportable, true);
    assert.equal(key.properties.releasePolicy?.immutable, true);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(key.properties.releasePolicy?.encodedPolicy)), {
      anyOf: [{ allOf: [{ claim: "stage", equals: "backup" }], authority }],
      version: "1.0.0",
    });
    const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const minted = await rawRequest(fx.server, {
      method: "POST",
      path: "/test-attestation/tokens",
      body: {
        claims: { stage: "backup" },
        runtimeKey: runtime.publicKey.export({ format: "pem", type: "spki" }),
      },
    });
    const opened = openRelease(
      (await fx.keyClient.releaseKey("kept", minted.json.token)).value,
      runtime.privateKey,
    );
    assert.ok(opened.material.length > 1000);
  });
});
