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

/** `mhsm backup start|status`: full backups of the HSM into a blob container. */
export function registerBackupCommands(program: Command): void {
  const backup = addGroup(program, "backup", "full backups of the HSM to Azure Blob Storage");

  withStorageFlags(
    addVerb(backup, {
      name: "start",
      description:
        "back up the whole HSM (keys, role assignments, settings) into a new folder of a blob container",
      examples: [
        "mhsm backup start --container-url https://acct.blob.core.windows.net/backups --sas-token @sas.txt",
        "mhsm backup start --container-url https://acct.blob.core.windows.net/backups --use-managed-identity --no-wait",
      ],
    }).requiredOption("--container-url <url>", "the blob container to back up into"),
  ).action(
    runAction(async (flags: VerbFlags & StorageFlags & { containerUrl: string; wait: boolean }) => {
      const sasToken = await storageSasToken(flags);
      const clients = await HsmClients.connect(flags);
      const client = clients.backup();
      const poller =
        sasToken === undefined
          ? await client.beginBackup(flags.containerUrl)
          : await client.beginBackup(flags.containerUrl, sasToken);
      const job = flags.wait
        ? await waitForJob(clients, "backup", poller, "backup")
        : jobRowFromState(poller.getOperationState());
      printItem(job, jobView, outputOf(flags));
    }),
  );

  addVerb(backup, {
    name: "status",
    description: "show a backup job: its status, and when done its folder (for restore --folder-url)",
    arguments: [{ name: "<jobId>", description: "the job id `backup start` printed" }],
    examples: ["mhsm backup status 4f5e…  -o json | jq -r .folderUrl"],
  }).action(
    runAction(async (jobId: string, flags: VerbFlags) => {
      printItem(await jobStatus(await HsmClients.connect(flags), "backup", jobId), jobView, outputOf(flags));
    }),
  );
}
