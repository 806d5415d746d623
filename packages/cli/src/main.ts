#!/usr/bin/env node
import { createRequire } from "node:module";
import { Command } from "commander";
import { registerAttestationCommands } from "./commands/attestation.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerKeyCommands } from "./commands/key.js";
import { registerPrincipalCommands } from "./commands/principal.js";
import { registerRestoreCommands } from "./commands/restore.js";
import { registerRoleCommands } from "./commands/role.js";
import { registerSecurityDomainCommands } from "./commands/security-domain.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSettingCommands } from "./commands/setting.js";
import { registerMigrateCommand } from "./commands/migrate.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const program = new Command("mhsm")
  .description("mhsm: a self-hosted key service that speaks the Azure Key Vault Managed HSM API")
  .version(version, "-V, --version", "print the version of mhsm")
  // `mhsm --version` only before a command: `mhsm key show --version <v>` names a key version.
  .enablePositionalOptions()
  .showHelpAfterError("(add --help for usage and an example)")
  // Usage errors read like every other failure: "error: <code>: <message>".
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "error: BadArgument: ")) });

// `mhsm … | head` closes the pipe early: stop quietly, as other command-line tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

registerServeCommand(program);
registerMigrateCommand(program);
registerRoleCommands(program);
registerKeyCommands(program);
registerBackupCommands(program);
registerRestoreCommands(program);
registerSettingCommands(program);
registerPrincipalCommands(program);
registerSecurityDomainCommands(program);
registerAttestationCommands(program);

await program.parseAsync(process.argv);
