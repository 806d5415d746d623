import type { KeyVaultAccessControlClient, KeyVaultRoleDefinition } from "@mhsm/keyvault-admin";
import { CliError } from "./cli-error.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Role definitions live at "/" on a Managed HSM; all of them are listed from there. */
export async function listRoleDefinitions(
  client: KeyVaultAccessControlClient,
): Promise<KeyVaultRoleDefinition[]> {
  const definitions: KeyVaultRoleDefinition[] = [];
  for await (const definition of client.listRoleDefinitions("/")) definitions.push(definition);
  return definitions;
}

/**
 * A role given as a person writes it: its name ("Managed HSM Crypto User", any case), its GUID,
 * or its full id (".../roleDefinitions/<guid>").
 */
export async function findRoleDefinition(
  client: KeyVaultAccessControlClient,
  role: string,
  definitions?: KeyVaultRoleDefinition[],
): Promise<KeyVaultRoleDefinition> {
  const guid = role.includes("/roleDefinitions/") ? role.slice(role.lastIndexOf("/") + 1) : role;
  if (isGuid(guid)) {
    const known = definitions?.find((definition) => definition.name.toLowerCase() === guid.toLowerCase());
    return known ?? (await client.getRoleDefinition("/", guid.toLowerCase()));
  }
  const all = definitions ?? (await listRoleDefinitions(client));
  const matches = all.filter((definition) => definition.roleName.toLowerCase() === role.toLowerCase());
  if (matches.length === 1) return matches[0] as KeyVaultRoleDefinition;
  if (matches.length === 0) {
    throw new CliError(
      "RoleDefinitionNotFound",
      `no role named '${role}' (see mhsm role definition list; a role can also be given by its GUID)`,
    );
  }
  throw new CliError(
    "AmbiguousRoleName",
    `several roles are named '${role}': ${matches.map((m) => m.name).join(", ")}; give the GUID`,
  );
}

/** The GUID at the end of a role definition id, in lower case, for comparing ids. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.slice(roleDefinitionId.lastIndexOf("/") + 1).toLowerCase();
}
