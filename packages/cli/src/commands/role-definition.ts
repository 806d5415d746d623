import { randomUUID } from "node:crypto";
import { type Command, Option } from "commander";
import type { KeyVaultAccessControlClient, KeyVaultRoleScope } from "@mhsm/keyvault-admin";
import { CliError, badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, printList } from "../output.js";
import {
  type RoleDefinitionFlags,
  type RoleDefinitionInput,
  mergeDefinition,
  permissionsOf,
  roleDefinitionInput,
} from "../role-definition-input.js";
import { findRoleDefinition, isGuid, listRoleDefinitions } from "../role-lookup.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import { roleDefinitionDetailView, roleDefinitionView } from "../views/role-views.js";

type DefinitionFlags = VerbFlags & RoleDefinitionFlags & { scope: string };

/** `mhsm role definition list|show|create|update|delete`. */
export function registerRoleDefinitionCommands(role: Command): void {
  const definition = addGroup(role, "definition", "role definitions: built-in roles and your custom ones");

  addVerb(definition, {
    name: "list",
    description: "list role definitions",
    examples: [
      "mhsm role definition list --admin-file .mhsm/initial-admin.json",
      "mhsm role definition list --custom-role-only -o json | jq -r '.[].roleName'",
    ],
  })
    .option("--custom-role-only", "only custom roles")
    .action(
      runAction(async (flags: VerbFlags & { customRoleOnly?: boolean }) => {
        const client = (await HsmClients.connect(flags)).accessControl();
        const definitions = (await listRoleDefinitions(client)).filter(
          (d) => !flags.customRoleOnly || d.roleType === "CustomRole",
        );
        printList(definitions, roleDefinitionView, outputOf(flags));
      }),
    );

  addVerb(definition, {
    name: "show",
    description: "show one role definition, with its permissions",
    examples: ['mhsm role definition show --name "Managed HSM Crypto User"'],
  })
    .requiredOption("-n, --name <role>", "the role's GUID, full id or role name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const client = (await HsmClients.connect(flags)).accessControl();
        printItem(await findRoleDefinition(client, flags.name), roleDefinitionDetailView, outputOf(flags));
      }),
    );

  withDefinitionFlags(
    addVerb(definition, {
      name: "create",
      description: "create a custom role definition",
      examples: [
        "mhsm role definition create --definition @signer-role.json",
        'mhsm role definition create --role-name "Key signer" --data-actions Microsoft.KeyVault/managedHsm/keys/sign/action Microsoft.KeyVault/managedHsm/keys/read/action',
      ],
    }),
  ).action(runAction(createDefinition));

  withDefinitionFlags(
    addVerb(definition, {
      name: "update",
      description: "update a custom role definition; fields you leave out keep their values",
      examples: [
        'mhsm role definition update --name "Key signer" --description "signs release artifacts"',
        "mhsm role definition show -n 5c8b…-… -o json > role.json; $EDITOR role.json; mhsm role definition update --definition @role.json",
      ],
    }),
  ).action(runAction(updateDefinition));

  addVerb(definition, {
    name: "delete",
    description: "delete a custom role definition (built-in roles cannot be deleted)",
    examples: ['mhsm role definition delete --name "Key signer"'],
  })
    .requiredOption("-n, --name <role>", "the role's GUID, full id or role name")
    .addOption(scopeOption())
    .action(
      runAction(async (flags: VerbFlags & { name: string; scope: string }) => {
        const client = (await HsmClients.connect(flags)).accessControl();
        const existing = await findRoleDefinition(client, flags.name);
        await client.deleteRoleDefinition(flags.scope as KeyVaultRoleScope, existing.name);
      }),
    );
}

function withDefinitionFlags(verb: Command): Command {
  return verb
    .option(
      "--definition <json>",
      "the definition as JSON, @file, a file path or - (stdin), as in az keyvault role definition create",
    )
    .option("-n, --name <role>", "the role's GUID (create: a new one if omitted; update: GUID or role name)")
    .option("--role-name <name>", "the role's display name")
    .option("--description <text>", "what the role is for")
    .option(
      "--data-actions <actions...>",
      "allowed data actions, e.g. Microsoft.KeyVault/managedHsm/keys/read/action",
    )
    .option("--not-data-actions <actions...>", "data actions taken out of --data-actions")
    .option("--assignable-scopes <scopes...>", "where the role can be assigned (default /)")
    .addOption(scopeOption());
}

function scopeOption(): Option {
  return new Option("--scope <scope>", "the scope the definition lives at")
    .choices(["/", "/keys"])
    .default("/");
}

async function createDefinition(flags: DefinitionFlags): Promise<void> {
  const given = await roleDefinitionInput(flags);
  const input = { ...given, permissions: permissionsOf(given) };
  if (!input.roleName)
    throw badArgument("a role definition needs a role name: --role-name or roleName in --definition");
  if (!input.permissions) {
    throw badArgument("a role definition needs permissions: --data-actions or dataActions in --definition");
  }
  if (input.name !== undefined && !isGuid(input.name))
    throw badArgument(`--name must be a GUID (got '${input.name}')`);
  const client = (await HsmClients.connect(flags)).accessControl();
  const existing = await listRoleDefinitions(client);
  // setRoleDefinition is a PUT: without this check "create" would silently replace a role, and
  // two roles of one name would make --role <name> ambiguous.
  const taken = existing.find(
    (d) =>
      d.name.toLowerCase() === input.name?.toLowerCase() ||
      d.roleName.toLowerCase() === input.roleName?.toLowerCase(),
  );
  if (taken) {
    throw new CliError(
      "RoleDefinitionExists",
      `a role definition '${taken.roleName}' (${taken.name}) exists; use mhsm role definition update`,
    );
  }
  const created = await put(client, flags.scope, input, input.name ?? randomUUID());
  printItem(created, roleDefinitionDetailView, outputOf(flags));
}

async function updateDefinition(flags: DefinitionFlags): Promise<void> {
  const input = await roleDefinitionInput(flags);
  if (!input.name) throw badArgument("which role? give --name, or name in --definition");
  const client = (await HsmClients.connect(flags)).accessControl();
  const existing = await findRoleDefinition(client, input.name);
  const merged = mergeDefinition(existing, { ...input, name: existing.name });
  printItem(await put(client, flags.scope, merged, existing.name), roleDefinitionDetailView, outputOf(flags));
}

function put(client: KeyVaultAccessControlClient, scope: string, input: RoleDefinitionInput, name: string) {
  return client.setRoleDefinition(scope as KeyVaultRoleScope, {
    roleDefinitionName: name,
    roleName: input.roleName,
    description: input.description ?? "",
    permissions: input.permissions,
    assignableScopes: (input.assignableScopes ?? ["/"]) as KeyVaultRoleScope[],
  });
}
