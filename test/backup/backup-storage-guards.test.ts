import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { type Server, type Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../harness/azurite.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { mountTmpfs } from "../server/tmpfs.js";

const V = "api-version=7.6";
const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";

const call = (server: ServerProcess, token: string, method: string, path: string, body?: unknown) =>
  rawRequest(server, { method, path, token, body });

/** A real loopback listener that records every connection and what was sent on it. */
async function listenRecording(): Promise<{ port: number; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    received.push("");
    const index = received.length - 1;
    socket.on("data", (chunk: Buffer) => (received[index] += chunk.toString("latin1")));
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as import("node:net").AddressInfo).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("useManagedIdentity: the server's storage key only for its own account", () => {
  let server: ServerProcess;
  let token: string;
  let trap: Awaited<ReturnType<typeof listenRecording>>;

  before(async () => {
    trap = await listenRecording();
    // No endpoint configured: the account's own is https://devstoreaccount1.blob.core.windows.net.
    server = await startServerProcess({
      env: { MHSM_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT, MHSM_STORAGE_ACCOUNT_KEY: AZURITE_KEY },
    });
    token = await adminToken(server);
  });
  after(async () => {
    await server?.dispose();
    await trap?.close();
  });

  it("refuses every backup and restore to another host with 400, before any storage request", async () => {
    const elsewhere = `http://127.0.0.1:${trap.port}/${AZURITE_ACCOUNT}/backups`;
    const storage = { storageResourceUri: elsewhere, useManagedIdentity: true };
    const answers: Array<[string, RawResponse]> = [
      ["backup", await call(server, token, "POST", `/backup?${V}`, storage)],
      ["prebackup", await call(server, token, "POST", `/prebackup?${V}`, storage)],
      [
        "restore",
        await call(server, token, "PUT", `/restore?${V}`, {
          sasTokenParameters: storage,
          folderToRestore: "mhsm-x-2024",
        }),
      ],
      [
        "prerestore",
        await call(server, token, "PUT", `/prerestore?${V}`, {
          sasTokenParameters: storage,
          folderToRestore: "mhsm-x-2024",
        }),
      ],
      [
        "selective restore",
        await call(server, token, "PUT", `/keys/k1/restore?${V}`, {
          sasTokenParameters: storage,
          folder: "mhsm-x-2024",
        }),
      ],
      [
        "https elsewhere",
        await call(server, token, "POST", `/backup?${V}`, {
          storageResourceUri: "https://attacker.blob.core.windows.net/backups",
          useManagedIdentity: true,
        }),
      ],
    ];
    for (const [what, answer] of answers) {
      assert.equal(answer.status, 400, `${what}: ${answer.status} ${answer.text}`);
      assert.equal(answer.json.error.code, "BadParameter", answer.text);
      assert.match(
        answer.json.error.message,
        /own storage account at https:\/\/devstoreaccount1\.blob\.core\.windows\.net/,
      );
      assert.ok(!answer.text.includes(AZURITE_KEY), "no key in the error");
    }
    // A 400 made no job, so nothing can reach the listener later: it got nothing at all.
    assert.deepEqual(trap.received, [], `requests arrived:\n${trap.received.join("\n---\n")}`);
  });
});

describe("local backups: symbolic links and a full disk", () => {
  let server: ServerProcess;
  let token: string;
  let root: string;
  let outside: string;
  const disk = { value: undefined as Awaited<ReturnType<typeof mountTmpfs>> | undefined };

  before(async () => {
    disk.value = await mountTmpfs(512 * 1024);
    root = join(disk.value.dir, "backups");
    await mkdir(root, { mode: 0o700 });
    outside = await mkdtemp(join(tmpdir(), "mhsm-outside-"));
    server = await startServerProcess({ args: ["--local-backup-root", root] });
    token = await adminToken(server);
    const granted = await call(
      server,
      token,
      "PUT",
      `/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?${V}`,
      { properties: { roleDefinitionId: CRYPTO_USER, principalId: server.admin.objectId } },
    );
    assert.equal(granted.status, 201, granted.text);
    for (let i = 0; i < 5; i++) {
      const created = await call(server, token, "POST", `/keys/k${i}/create?${V}`, {
        kty: "EC-HSM",
        crv: "P-256",
      });
      assert.equal(created.status, 200, created.text);
    }
  });
  after(async () => {
    await server?.dispose();
    await disk.value?.unmount();
    await rm(outside, { recursive: true, force: true });
  });

  it("refuses a folder that is a symbolic link out of the root (400), reading and writing nothing there", async () => {
    // A genuine backup, moved out of the root, with a link to it left inside.
    const accepted = await call(server, token, "POST", `/backup?${V}`, {
      storageResourceUri: pathToFileURL(root).href,
    });
    assert.equal(accepted.status, 202, accepted.text);
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
    const folder = String(done.json.azureStorageBlobContainerUri).split("/").pop() as string;
    await cp(join(root, folder), join(outside, "copy"), { recursive: true });
    await rm(join(root, folder), { recursive: true });
    await symlink(join(outside, "copy"), join(root, "link"));
    await symlink(join(outside, "nowhere"), join(root, "dangling"));
    const before = (await readdir(outside, { recursive: true })).sort();

    const uri = pathToFileURL(root).href;
    const answers: Array<[string, RawResponse]> = [
      [
        "restore",
        await call(server, token, "PUT", `/restore?${V}`, {
          sasTokenParameters: { storageResourceUri: uri },
          folderToRestore: "link",
        }),
      ],
      [
        "selective restore",
        await call(server, token, "PUT", `/keys/k1/restore?${V}`, {
          sasTokenParameters: { storageResourceUri: uri },
          folder: "link",
        }),
      ],
      [
        "backup into the link",
        await call(server, token, "POST", `/backup?${V}`, { storageResourceUri: `${uri}/link` }),
      ],
      [
        "backup into a dangling link",
        await call(server, token, "POST", `/backup?${V}`, { storageResourceUri: `${uri}/dangling` }),
      ],
    ];
    for (const [what, answer] of answers) {
      assert.equal(answer.status, 400, `${what}: ${answer.status} ${answer.text}`);
      assert.equal(answer.json.error.code, "BadParameter", answer.text);
    }
    // A pre-check reports the refusal as its job's failure, without reading the folder.
    const pre = await waitForJob(
      server,
      token,
      await call(server, token, "PUT", `/prerestore?${V}`, {
        sasTokenParameters: { storageResourceUri: uri },
        folderToRestore: "link",
      }),
    );
    assert.equal(pre.json.status, "Failed", pre.text);
    assert.match(pre.json.error.message, /outside the local backup root/);
    assert.deepEqual((await readdir(outside, { recursive: true })).sort(), before);
    await rm(join(root, "link"));
    await rm(join(root, "dangling"));
  });

  it("fails a backup into a full disk as a storage error with the reason, leaving nothing behind", async () => {
    const volume = disk.value as NonNullable<typeof disk.value>;
    await volume.fill();
    try {
      const accepted = await call(server, token, "POST", `/backup?${V}`, {
        storageResourceUri: pathToFileURL(root).href,
      });
      assert.equal(accepted.status, 202, accepted.text);
      const failed = await waitForJob(server, token, accepted);
      assert.equal(failed.json.status, "Failed", failed.text);
      assert.equal(failed.json.error.code, "StorageError", failed.text);
      assert.match(failed.json.error.message, /no space left on device/);
      assert.ok(!failed.text.includes(root), "no server path in the error");
      assert.deepEqual(await readdir(root), [], "the partial backup was removed");
    } finally {
      await volume.free();
    }
    // Space is back: the next backup works.
    await writeFile(join(root, ".keep"), "");
    const accepted = await call(server, token, "POST", `/backup?${V}`, {
      storageResourceUri: pathToFileURL(root).href,
    });
    const done = await waitForJob(server, token, accepted);
    assert.equal(done.json.status, "Succeeded", done.text);
  });
});
