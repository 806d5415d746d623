import { type Command, Option } from "commander";

/** How a verb reaches the HSM: --hsm-url (or MHSM_URL), --admin-file (or MHSM_ADMIN_FILE), --ca-file. */
export interface ConnectionFlags {
  adminFile?: string;
  hsmUrl?: string;
  caFile?: string;
}

export function withConnectionFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--hsm-url <url>",
        "the HSM's URL, e.g. https://myhsm.managedhsm.azure.net (default: vaultUrl of --admin-file)",
      ).env("MHSM_URL"),
    )
    .addOption(
      new Option(
        "--admin-file <file>",
        "a local server's credentials, <data-dir>/initial-admin.json (default: AZURE_* credentials from the environment)",
      ).env("MHSM_ADMIN_FILE"),
    )
    .addOption(new Option("--ca-file <file>", "a CA certificate to trust (default: caFile of --admin-file)"));
}
