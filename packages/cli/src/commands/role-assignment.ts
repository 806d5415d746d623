import { randomUUID } from "node:crypto";
import { type Command, InvalidArgumentError } from "commander";
import type {
  KeyVaultAccessControlClient,
  KeyVaultRoleAssignment,
  KeyVaultRoleDefinition,
  KeyVaultRoleScope,
} from "@mhsm/keyvault-admin";
import { CliError, badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, printList } from "../output.js";
import { findRoleDefinition, isGuid, listRoleDefinitions, roleDefinitionGuid } from "../role-lookup.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import { type RoleAssignmentRow, roleAssignmentView } from "../views/role-views.js";

interface AssignmentFilters {
  role?: string;
  assignee?: string;
  scope?: string;
}

const SCOPE_HELP = "/ (the whole HSM), /keys (all keys) or /keys/<name> (one key)";

/** A Managed HSM's role assignment scopes; anything else would reach no route of the API. */
function scopeArgument(value: string): string {
  if (value === "/" || value === "/keys" || /^\/keys\/[0-9a-zA-Z-]+$/.test(value)) return value;
  throw new InvalidArgumentError(`expected ${SCOPE_HELP}`);
}

/** `mhsm role assignment list|create|show|delete`. */
export function registerRoleAssignmentCommands(role: Command): void {
  const assignment = addGroup(role, "assignment", "role assignments: who has which role, where");

  addVerb(assignment, {
    name: "list",
    description: "list role assignments, optionally only those of a role, an assignee or a scope",
    examples: [
      "mhsm role assignment list",
      'mhsm role assignment list --role "Managed HSM Crypto User" --scope /keys -o tsv',
    ],
  })
    .option("--role <role>", "only this role (name, GUID or id)")
    .option("--assignee <objectId>", "only this principal's assignments")
    .option("--scope <scope>", `only assignments made at this scope: ${SCOPE_HELP}`, scopeArgument)
    .action(
      runAction(async (flags: VerbFlags & AssignmentFilters) => {
        const client = (await HsmClients.connect(flags)).accessControl();
        printList(await matchingAssignments(client, flags), roleAssignmentView, outputOf(flags));
      }),
    );

  addVerb(assignment, {
    name: "create",
    description: "give a principal a role at a scope",
    examples: [
      'mhsm role assignment create --role "Managed HSM Crypto User" --assignee 3f1c0d2e-… --scope /keys',
      "mhsm role assignment create --role 21dbd100-6940-42c2-9190-5d6cb909625b --assignee 3f1c0d2e-… --scope /keys/signing-key",
    ],
  })
    .requiredOption("--role <role>", "the role: its name, GUID or full id")
    .requiredOption("--assignee <objectId>", "the principal's object id")
    .option("--scope <scope>", SCOPE_HELP, scopeArgument, "/")
    .option("-n, --name <guid>", "the assignment's name (default: a new GUID)")
    .action(
      runAction(
        async (flags: VerbFlags & { role: string; assignee: string; scope: string; name?: string }) => {
          if (flags.name !== undefined && !isGuid(flags.name))
            throw badArgument(`--name must be a GUID (got '${flags.name}')`);
          const client = (await HsmClients.connect(flags)).accessControl();
          const definition = await findRoleDefinition(client, flags.role);
          const created = await client.createRoleAssignment(
            flags.scope as KeyVaultRoleScope,
            flags.name ?? randomUUID(),
            definition.id,
            flags.assignee,
          );
          printItem(
            { assignment: created, roleName: definition.roleName },
            roleAssignmentView,
            outputOf(flags),
          );
        },
      ),
    );

  addVerb(assignment, {
    name: "show",
    description: "show one role assignment",
    examples: ["mhsm role assignment show --name 9b1f…-…"],
  })
    .requiredOption("-n, --name <guid>", "the assignment's name")
    .option("--scope <scope>", `the assignment's scope (default: looked up): ${SCOPE_HELP}`, scopeArgument)
    .action(
      runAction(async (flags: VerbFlags & { name: string; scope?: string }) => {
        const client = (await HsmClients.connect(flags)).accessControl();
        const found = await findAssignment(client, flags.name, flags.scope);
        printItem(await withRoleName(client, found), roleAssignmentView, outputOf(flags));
      }),
    );

  addVerb(assignment, {
    name: "delete",
    description:
      "delete a role assignment by name, or every assignment matching --role, --assignee and --scope",
    examples: [
      "mhsm role assignment delete --name 9b1f…-…",
      'mhsm role assignment delete --assignee 3f1c0d2e-… --role "Managed HSM Crypto User" --scope /keys',
    ],
  })
    .option("-n, --name <guid>", "the assignment's name")
    .option("--role <role>", "delete this role's assignments (name, GUID or id)")
    .option("--assignee <objectId>", "delete this principal's assignments")
    .option("--scope <scope>", `the scope: ${SCOPE_HELP}`, scopeArgument)
    .action(
      runAction(async (flags: VerbFlags & AssignmentFilters & { name?: string }) => {
        if (!flags.name && !flags.role && !flags.assignee) {
          throw badArgument("which assignments? give --name, or --assignee and/or --role");
        }
        const client = (await HsmClients.connect(flags)).accessControl();
        const doomed = flags.name
          ? [await withRoleName(client, await findAssignment(client, flags.name, flags.scope))]
          : await matchingAssignments(client, flags);
        if (doomed.length === 0) throw new CliError("RoleAssignmentNotFound", "no role assignment matches");
        for (const { assignment } of doomed) {
          await client.deleteRoleAssignment(assignment.properties.scope ?? "/", assignment.name);
        }
        printList(doomed, roleAssignmentView, outputOf(flags));
      }),
    );
}

/** Listing at "/" returns the assignments of every scope; the filters are applied here. */
async function matchingAssignments(
  client: KeyVaultAccessControlClient,
  filters: AssignmentFilters,
): Promise<RoleAssignmentRow[]> {
  const definitions = await listRoleDefinitions(client);
  const role = filters.role ? await findRoleDefinition(client, filters.role, definitions) : undefined;
  const rows: RoleAssignmentRow[] = [];
  for await (const assignment of client.listRoleAssignments("/")) {
    const { scope, principalId, roleDefinitionId } = assignment.properties;
    if (filters.scope && scope !== filters.scope) continue;
    if (filters.assignee && principalId.toLowerCase() !== filters.assignee.toLowerCase()) continue;
    if (role && roleDefinitionGuid(roleDefinitionId) !== role.name.toLowerCase()) continue;
    rows.push({ assignment, roleName: roleNameOf(definitions, roleDefinitionId) });
  }
  return rows;
}

/** An assignment by name: at --scope if given, otherwise wherever it is. */
async function findAssignment(
  client: KeyVaultAccessControlClient,
  name: string,
  scope: string | undefined,
): Promise<KeyVaultRoleAssignment> {
  if (scope) return client.getRoleAssignment(scope as KeyVaultRoleScope, name);
  for await (const assignment of client.listRoleAssignments("/")) {
    if (assignment.name.toLowerCase() === name.toLowerCase()) return assignment;
  }
  throw new CliError("RoleAssignmentNotFound", `no role assignment named '${name}'`);
}

async function withRoleName(
  client: KeyVaultAccessControlClient,
  assignment: KeyVaultRoleAssignment,
): Promise<RoleAssignmentRow> {
  return {
    assignment,
    roleName: roleNameOf(await listRoleDefinitions(client), assignment.properties.roleDefinitionId),
  };
}

function roleNameOf(definitions: KeyVaultRoleDefinition[], roleDefinitionId: string): string | undefined {
  const guid = roleDefinitionGuid(roleDefinitionId);
  return definitions.find((definition) => definition.name.toLowerCase() === guid)?.roleName;
}
