import type { Command } from "commander";
import { registerRoleAssignmentCommands } from "./role-assignment.js";
import { registerRoleDefinitionCommands } from "./role-definition.js";

/** `mhsm role definition …` and `mhsm role assignment …`: the HSM's local RBAC. */
export function registerRoleCommands(program: Command): void {
  const role = program
    .command("role")
    .description("role-based access control: role definitions and role assignments");
  registerRoleDefinitionCommands(role);
  registerRoleAssignmentCommands(role);
}
