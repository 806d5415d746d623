/**
 * @summary Lists role assignments, creates a custom role definition, assigns it to a principal,
 * reads the assignment back, then deletes both.
 *
 * Environment: see hsm-connection.ts, plus CLIENT_OBJECT_ID, the object id to assign the role to.
 */
import { randomUUID } from "node:crypto";
import {
  KeyVaultAccessControlClient,
  type KeyVaultPermission,
  KnownKeyVaultDataAction,
  KnownKeyVaultRoleScope,
} from "@mhsm/keyvault-admin";
import { hsmConnection, requiredEnv } from "./hsm-connection.js";

export async function main(): Promise<void> {
  const { url, credential, options } = hsmConnection();
  const client = new KeyVaultAccessControlClient(url, credential, options);

  for await (const roleAssignment of client.listRoleAssignments(KnownKeyVaultRoleScope.Global)) {
    console.log("Role assignment:", roleAssignment.name, roleAssignment.properties);
  }

  const globalScope = KnownKeyVaultRoleScope.Global;
  const permissions: KeyVaultPermission[] = [
    { dataActions: [KnownKeyVaultDataAction.StartHsmBackup, KnownKeyVaultDataAction.StartHsmRestore] },
  ];
  const roleDefinition = await client.setRoleDefinition(globalScope, {
    roleDefinitionName: randomUUID(),
    roleName: "Backup Manager",
    permissions,
    description: "Allow backup actions",
  });
  console.log("Created role definition:", roleDefinition.name, roleDefinition.roleName);

  // A custom role here; the built-in ones are listed by listRoleDefinitions("/").
  const roleAssignmentName = randomUUID();
  let assignment = await client.createRoleAssignment(
    globalScope,
    roleAssignmentName,
    roleDefinition.id,
    requiredEnv("CLIENT_OBJECT_ID"),
  );
  console.log("Created role assignment:", assignment.name);

  assignment = await client.getRoleAssignment(globalScope, roleAssignmentName);
  console.log("Read role assignment:", assignment.name, assignment.properties.principalId);

  await client.deleteRoleAssignment(globalScope, roleAssignmentName);
  await client.deleteRoleDefinition(globalScope, roleDefinition.name);
  console.log("Deleted role assignment and role definition");
}

main().catch((error: unknown) => {
  console.error("The sample failed:", error);
  process.exitCode = 1;
});
