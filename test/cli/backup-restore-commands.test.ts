import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from "../harness/azurite.js";
import { type CliSession, startCliSession } from "./support/cli-session.js";

interface Job {
  jobId: string;
  status: string;
  statusDetails: string | null;
  startTime: string | null;
  endTime: string | null;
  folderUrl: string | null;
  error: { code?: string; message?: string } | null;
}

/**
 * Backups and restores through the CLI against a real server and Azurite: with a SAS token
 * (from a file and from stdin), and with the server's own storage identity
 * (--use-managed-identity; here Azurite's account key, configured on the server).
 */
describe("mhsm backup|restore", () => {
  let cli: CliSession;
  let azurite: Azurite;
  let workDir: string;
  let containerUrl: string;
  let sas: string;
  let sasFile: string;
  /** Everything a command printed must be free of the SAS token. */
  const assertNoSas = (result: { stdout: string; stderr: string }) => {
    const signature = new URLSearchParams(sas).get("sig") as string;
    for (const text of [result.stdout, result.stderr]) {
      assert.ok(
        !text.includes(signature) && !text.includes(encodeURIComponent(signature)),
        "the SAS was printed",
      );
    }
  };

  before(async () => {
    azurite = await startAzurite();
    cli = await startCliSession({
      env: {
        MHSM_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT,
        MHSM_STORAGE_ACCOUNT_KEY: AZURITE_KEY,
        // The account's own endpoint: the only place the server signs with its key.
        MHSM_STORAGE_BLOB_ENDPOINT: azurite.accountUrl,
      },
    });
    workDir = await mkdtemp(join(tmpdir(), "mhsm-cli-backup-"));
    containerUrl = await azurite.createContainer("cli-backups");
    sas = azurite.sas("cli-backups");
    sasFile = join(workDir, "sas.txt");
    // As copied from the portal: with a leading "?" and a final newline.
    await writeFile(sasFile, `?${sas}\n`, { mode: 0o600 });
    await cli.grantKeyRoles();
    for (const name of ["kept", "dropped"]) {
      assert.equal((await cli.run(["key", "create", "-n", name, "--kty", "EC-HSM"])).code, 0);
    }
  });
  after(async () => {
    await cli?.dispose();
    await azurite?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  let folderUrl: string;

  it("backs up with the SAS from @file: plain progress lines on stderr, the job as JSON on stdout", async () => {
    const result = await cli.run([
      "backup",
      "start",
      "--container-url",
      containerUrl,
      "--sas-token",
      `@${sasFile}`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertNoSas(result);
    const job = JSON.parse(result.stdout) as Job;
    assert.equal(job.status, "Succeeded");
    assert.match(job.jobId, /^[0-9a-f]+$/);
    assert.ok(job.folderUrl?.startsWith(`${containerUrl}/mhsm-`), job.folderUrl ?? "no folder");
    assert.ok(job.startTime && job.endTime && Date.parse(job.endTime) >= Date.parse(job.startTime));
    folderUrl = job.folderUrl as string;

    // Not a terminal: one plain line per status seen while waiting, then how it ended.
    const lines = result.stderr.trimEnd().split("\n");
    assert.match(lines[0] as string, new RegExp(`^backup ${job.jobId}: InProgress \\(\\d+s\\)$`));
    assert.match(lines.at(-1) as string, new RegExp(`^backup ${job.jobId}: Succeeded after \\d+s$`));
    assert.ok(!result.stderr.includes("\r") && !result.stderr.includes("\x1b"), "no terminal control codes");

    const blobs: string[] = [];
    const folder = folderUrl.slice(containerUrl.length + 1);
    for await (const blob of azurite.service
      .getContainerClient("cli-backups")
      .listBlobsFlat({ prefix: folder })) {
      blobs.push(blob.name);
    }
    assert.ok(blobs.length > 0, "the backup is in the container");
  });

  it("--no-wait returns the started job (SAS from stdin); backup status follows it to its folder", async () => {
    const started = await cli.run(
      ["backup", "start", "--container-url", containerUrl, "--sas-token", "-", "--no-wait", "-o", "json"],
      { input: sas },
    );
    assert.equal(started.code, 0, started.stderr);
    assertNoSas(started);
    assert.equal(started.stderr, "", "no progress without waiting");
    const job = JSON.parse(started.stdout) as Job;
    assert.equal(job.status, "InProgress");

    let status: Job;
    do {
      status = await cli.json<Job>(["backup", "status", job.jobId]);
      assert.equal(status.jobId, job.jobId);
    } while (status.status === "InProgress");
    assert.equal(status.status, "Succeeded", JSON.stringify(status));
    assert.ok(status.folderUrl?.startsWith(`${containerUrl}/mhsm-`));

    const tsv = await cli.run(["backup", "status", job.jobId, "-o", "tsv"]);
    assert.equal(tsv.stdout.split("\t")[0], job.jobId);
  });

  it("restores one purged key (--key), then everything, with the server's own storage identity", async () => {
    assert.equal((await cli.run(["key", "delete", "-n", "kept"])).code, 0);
    assert.equal((await cli.run(["key", "purge", "-n", "kept"])).code, 0);
    const selective = await cli.run([
      "restore",
      "start",
      "--folder-url",
      folderUrl,
      "--key",
      "kept",
      "--sas-token",
      `@${sasFile}`,
    ]);
    assert.equal(selective.code, 0, selective.stderr);
    assertNoSas(selective);
    const selectiveJob = JSON.parse(selective.stdout) as Job;
    assert.equal(selectiveJob.status, "Succeeded");
    assert.match(selective.stderr, /^restore of key kept, job [0-9a-f]+: Succeeded after \d+s$/m);
    assert.equal((await cli.json<{ name: string }>(["key", "show", "-n", "kept"])).name, "kept");

    // A key made after the backup is gone after a full restore; a deleted one is back.
    assert.equal((await cli.run(["key", "create", "-n", "after-backup", "--kty", "EC-HSM"])).code, 0);
    assert.equal((await cli.run(["key", "delete", "-n", "dropped"])).code, 0);
    assert.equal((await cli.run(["key", "purge", "-n", "dropped"])).code, 0);
    const full = await cli.json<Job>([
      "restore",
      "start",
      "--folder-url",
      folderUrl,
      "--use-managed-identity",
    ]);
    assert.equal(full.status, "Succeeded");
    const names = (await cli.json<Array<{ name: string }>>(["key", "list"])).map((k) => k.name).sort();
    assert.deepEqual(names, ["dropped", "kept"]);

    const status = await cli.json<Job>(["restore", "status", selectiveJob.jobId]);
    assert.equal(status.status, "Succeeded");
    await cli.fails(["backup", "status", selectiveJob.jobId], "JobNotFound");
  });

  it("a failed job exits non-zero with the job's error code; refused starts and bad flags too", async () => {
    const failed = await cli.run([
      "restore",
      "start",
      "--folder-url",
      `${containerUrl}/mhsm-no-such-backup`,
      "--sas-token",
      `@${sasFile}`,
    ]);
    assert.notEqual(failed.code, 0);
    assert.equal(failed.stdout, "");
    assert.match(failed.stderr, /^restore [0-9a-f]+: Failed after \d+s$/m);
    assert.match(failed.stderr, /^error: InvalidBackup: .+$/m);
    assertNoSas(failed);

    const malformed = await cli.run([
      "backup",
      "start",
      "--container-url",
      containerUrl,
      "--sas-token",
      "sig=x",
    ]);
    assert.notEqual(malformed.code, 0);
    assert.equal(malformed.stdout, "");
    assert.match(malformed.stderr, /^error: \w+: The customer provided SAS token is malformed/m);

    const both = ["backup", "start", "--container-url", containerUrl, "--use-managed-identity"];
    assert.match(await cli.fails([...both, "--sas-token", "-"], "BadArgument", { input: sas }), /not both/);
    assert.match(
      await cli.fails(["backup", "start", "--container-url", containerUrl], "BadArgument"),
      /--sas-token or --use-managed-identity/,
    );
    const empty = join(workDir, "empty.txt");
    await writeFile(empty, "\n");
    assert.match(
      await cli.fails(
        ["backup", "start", "--container-url", containerUrl, "--sas-token", `@${empty}`],
        "BadArgument",
      ),
      /--sas-token is empty/,
    );
    assert.match(
      await cli.fails(
        ["backup", "start", "--container-url", containerUrl, "--sas-token", "@/nonexistent/sas"],
        "BadArgument",
      ),
      /cannot read the file/,
    );
    await cli.fails(["restore", "start", "--sas-token", `@${sasFile}`], "BadArgument");
    await cli.fails(["backup", "status"], "BadArgument");
    await cli.fails(["restore", "status", "0123456789abcdef"], "JobNotFound");
  });
});
