import type { Command } from "commander";
import { runAction } from "../cli-error.js";
import {
  type StorageFlags,
  jobRowFromState,
  jobStatus,
  storageSasToken,
  waitForJob,
} from "../backup-jobs.js";
import { HsmClients } from "../connection/clients.js";
import { printItem } from "../output.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import { jobView } from "../views/job-views.js";
import { withStorageFlags } from "./backup-restore-flags.js";

interface RestoreFlags extends VerbFlags, StorageFlags {
  folderUrl: string;
  key?: string;
  wait: boolean;
}

/** `mhsm restore start|status`: full restores, or one key's, from a backup folder. */
export function registerRestoreCommands(program: Command): void {
  const restore = addGroup(program, "restore", "restores from a backup folder: the whole HSM, or one key");

  withStorageFlags(
    addVerb(restore, {
      name: "start",
      description:
        "restore from a backup folder: everything (replacing all keys and role assignments), or with --key all versions of one key",
      examples: [
        "mhsm restore start --folder-url https://acct.blob.core.windows.net/backups/mhsm-myhsm-2025112210470300 --sas-token - < sas.txt",
        "mhsm restore start --folder-url https://acct.blob.core.windows.net/backups/mhsm-myhsm-2025112210470300 --key signing-key --use-managed-identity",
      ],
    })
      .requiredOption(
        "--folder-url <url>",
        "the backup's folder (folderUrl of `backup start` or `backup status`)",
      )
      .option(
        "--key <name>",
        "restore only this key (versions it already has are kept; the backup's others are added)",
      ),
  ).action(
    runAction(async (flags: RestoreFlags) => {
      const sasToken = await storageSasToken(flags);
      const clients = await HsmClients.connect(flags);
      const client = clients.backup();
      const poller = flags.key
        ? sasToken === undefined
          ? await client.beginSelectiveKeyRestore(flags.key, flags.folderUrl)
          : await client.beginSelectiveKeyRestore(flags.key, flags.folderUrl, sasToken)
        : sasToken === undefined
          ? await client.beginRestore(flags.folderUrl)
          : await client.beginRestore(flags.folderUrl, sasToken);
      const label = flags.key ? `restore of key ${flags.key}, job` : "restore";
      const job = flags.wait
        ? await waitForJob(clients, "restore", poller, label)
        : jobRowFromState(poller.getOperationState());
      printItem(job, jobView, outputOf(flags));
    }),
  );

  addVerb(restore, {
    name: "status",
    description: "show a restore job (full or of one key)",
    arguments: [{ name: "<jobId>", description: "the job id `restore start` printed" }],
    examples: ["mhsm restore status 9c2a…"],
  }).action(
    runAction(async (jobId: string, flags: VerbFlags) => {
      printItem(await jobStatus(await HsmClients.connect(flags), "restore", jobId), jobView, outputOf(flags));
    }),
  );
}
