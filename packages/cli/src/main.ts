#!/usr/bin/env node
import { Command } from "commander";
import { registerPrincipalCommands } from "./commands/principal.js";
import { registerServeCommand } from "./commands/serve.js";

const program = new Command("mhsm")
  .description("mhsm: a self-hosted key service that speaks the Azure Key Vault Managed HSM API")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerServeCommand(program);
registerPrincipalCommands(program);

await program.parseAsync(process.argv);
