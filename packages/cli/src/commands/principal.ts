import { type Command, Option } from "commander";
import { HsmConnection, ServiceError } from "../hsm-connection.js";
import { printRows, resolveOutput } from "../output.js";

interface CommonOptions {
  adminFile?: string;
  hsmUrl?: string;
  caFile?: string;
  output?: string;
}

function withConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--admin-file <file>", "credentials file, e.g. <data-dir>/initial-admin.json").env(
        "MHSM_ADMIN_FILE",
      ),
    )
    .addOption(
      new Option("--hsm-url <url>", "the HSM's URL (default: vaultUrl from the admin file)").env("MHSM_URL"),
    )
    .addOption(
      new Option("--ca-file <file>", "CA certificate to trust (default: caFile from the admin file)"),
    )
    .addOption(new Option("-o, --output <format>", "json, table or tsv (json when not a terminal)"));
}

/** `mhsm principal create|list|delete`: service principals of the embedded identity provider. */
export function registerPrincipalCommands(program: Command): void {
  const principal = program
    .command("principal")
    .description("service principals of the server's embedded identity provider");

  withConnectionOptions(
    principal
      .command("create")
      .description("create a service principal; prints its client secret once")
      .requiredOption("--name <name>", "display name")
      .addHelpText(
        "after",
        "\nExample:\n  mhsm principal create --admin-file .mhsm/initial-admin.json --name ci-signer --output json",
      ),
  ).action(
    run(async (options: CommonOptions & { name: string }) => {
      const created = (await HsmConnection.fromOptions(options).call("POST", "/mhsm/principals", {
        displayName: options.name,
      })) as Record<string, string>;
      const { tenantId, clientId, clientSecret, objectId } = created;
      printRows([{ tenantId, clientId, clientSecret, objectId }], resolveOutput(options.output), true);
    }),
  );

  withConnectionOptions(
    principal
      .command("list")
      .description("list service principals")
      .addHelpText(
        "after",
        "\nExample:\n  mhsm principal list --admin-file .mhsm/initial-admin.json --output table",
      ),
  ).action(
    run(async (options: CommonOptions) => {
      const result = (await HsmConnection.fromOptions(options).call("GET", "/mhsm/principals")) as {
        value: Array<Record<string, unknown>>;
      };
      printRows(result.value, resolveOutput(options.output));
    }),
  );

  withConnectionOptions(
    principal
      .command("delete")
      .description("delete a service principal (its tokens stop being issued; role assignments stay)")
      .argument("<objectId>", "the principal's object id")
      .addHelpText(
        "after",
        "\nExample:\n  mhsm principal delete 3f1c…-… --admin-file .mhsm/initial-admin.json",
      ),
  ).action(
    run(async (objectId: string, options: CommonOptions) => {
      const deleted = (await HsmConnection.fromOptions(options).call(
        "DELETE",
        `/mhsm/principals/${encodeURIComponent(objectId)}`,
      )) as Record<string, unknown>;
      printRows([deleted], resolveOutput(options.output), true);
    }),
  );
}

/** Runs a verb; failures print "<code>: <message>" on stderr and exit non-zero. */
function run<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof ServiceError) process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  };
}
