import type { Command } from "commander";

/** --sas-token / --use-managed-identity and --no-wait, shared by `backup start` and `restore start`. */
export function withStorageFlags(verb: Command): Command {
  return verb
    .option(
      "--sas-token <token>",
      "SAS token for the container; @file reads it from a file, - from stdin (never echoed)",
    )
    .option("--use-managed-identity", "the HSM reaches the storage with its own managed identity")
    .option("--no-wait", "print the job as started and return; see it later with `status <job id>`");
}
