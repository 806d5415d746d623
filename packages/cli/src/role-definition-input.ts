import type { KeyVaultPermission, KeyVaultRoleDefinition } from "@mhsm/keyvault-admin";
import { jsonArgument } from "./argument-sources.js";
import { badArgument } from "./cli-error.js";

/** What a custom role definition is made of, from --definition or from flags. */
export interface RoleDefinitionInput {
  name?: string;
  roleName?: string;
  description?: string;
  permissions?: KeyVaultPermission[];
  assignableScopes?: string[];
  /** --data-actions and --not-data-actions: they replace only those lists of the permissions. */
  dataActions?: string[];
  notDataActions?: string[];
}

export interface RoleDefinitionFlags {
  definition?: string;
  name?: string;
  roleName?: string;
  description?: string;
  dataActions?: string[];
  notDataActions?: string[];
  assignableScopes?: string[];
}

/**
 * --definition as `az keyvault role definition create --definition` takes it: JSON inline, in a
 * file (`@file` or a path) or on stdin (`-`), either flat (`roleName`, `description`,
 * `dataActions`, `notDataActions`, `actions`, `notActions`, `assignableScopes`, optional `name`)
 * or shaped as `mhsm role definition show -o json` prints it (`permissions`). Flags given next
 * to it override its fields.
 */
export async function roleDefinitionInput(flags: RoleDefinitionFlags): Promise<RoleDefinitionInput> {
  const fromJson = flags.definition
    ? parseDefinition(await jsonArgument("--definition", flags.definition))
    : {};
  const input: RoleDefinitionInput = { ...fromJson };
  if (flags.name !== undefined) input.name = flags.name;
  if (flags.roleName !== undefined) input.roleName = flags.roleName;
  if (flags.description !== undefined) input.description = flags.description;
  if (flags.assignableScopes !== undefined) input.assignableScopes = flags.assignableScopes;
  if (flags.dataActions !== undefined) input.dataActions = flags.dataActions;
  if (flags.notDataActions !== undefined) input.notDataActions = flags.notDataActions;
  return input;
}

/**
 * The permissions to send: those of --definition, else `base` (an update keeps the role's
 * current ones), with the data action flags applied to the first entry.
 */
export function permissionsOf(
  input: RoleDefinitionInput,
  base: KeyVaultPermission[] = [],
): KeyVaultPermission[] | undefined {
  const permissions = input.permissions ?? base;
  if (input.dataActions === undefined && input.notDataActions === undefined) {
    return permissions.length > 0 ? permissions : undefined;
  }
  const [first = {}, ...rest] = permissions;
  return [
    {
      ...first,
      dataActions: input.dataActions ?? first.dataActions ?? [],
      notDataActions: input.notDataActions ?? first.notDataActions ?? [],
    },
    ...rest,
  ];
}

/** An update keeps what the input does not mention. */
export function mergeDefinition(
  existing: KeyVaultRoleDefinition,
  input: RoleDefinitionInput,
): RoleDefinitionInput {
  return {
    name: existing.name,
    roleName: input.roleName ?? existing.roleName,
    description: input.description ?? existing.description,
    permissions: permissionsOf(input, existing.permissions),
    assignableScopes: input.assignableScopes ?? existing.assignableScopes,
  };
}

function parseDefinition(text: string): RoleDefinitionInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badArgument("--definition is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badArgument("--definition must be a JSON object");
  }
  const json = raw as Record<string, unknown>;
  // The wire model keeps the fields under "properties".
  const body = (
    typeof json.properties === "object" && json.properties !== null ? json.properties : json
  ) as Record<string, unknown>;
  const input: RoleDefinitionInput = {
    name: optionalString(json, "name"),
    roleName: optionalString(body, "roleName"),
    description: optionalString(body, "description"),
    assignableScopes: optionalStrings(body, "assignableScopes"),
  };
  if (body.permissions !== undefined) {
    if (!Array.isArray(body.permissions)) throw badArgument("--definition: permissions must be an array");
    input.permissions = body.permissions.map((entry, index) => permission(entry, `permissions[${index}]`));
  } else if (["actions", "notActions", "dataActions", "notDataActions"].some((key) => key in body)) {
    input.permissions = [permission(body, "the definition")];
  }
  return input;
}

function permission(raw: unknown, where: string): KeyVaultPermission {
  if (typeof raw !== "object" || raw === null) throw badArgument(`--definition: ${where} must be an object`);
  const entry = raw as Record<string, unknown>;
  return {
    actions: optionalStrings(entry, "actions") ?? [],
    notActions: optionalStrings(entry, "notActions") ?? [],
    dataActions: optionalStrings(entry, "dataActions") ?? [],
    notDataActions: optionalStrings(entry, "notDataActions") ?? [],
  };
}

function optionalString(json: Record<string, unknown>, key: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badArgument(`--definition: ${key} must be a string`);
  return value;
}

function optionalStrings(json: Record<string, unknown>, key: string): string[] | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw badArgument(`--definition: ${key} must be an array of strings`);
  }
  return value as string[];
}
