import { randomUUID } from "node:crypto";
import { rawRequest } from "../../harness/https-client.js";
import { adminToken } from "../../harness/principals.js";
import type { ServerProcess } from "../../harness/server-process.js";

/** The built-in role GUIDs the keys tests hand out (from the real HSM's list). */
export const ROLE = {
  cryptoUser: "21dbd100-6940-42c2-9190-5d6cb909625b",
  cryptoOfficer: "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
  cryptoAuditor: "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3",
  serviceEncryptionUser: "33413926-3206-4cdd-b39a-83574fe37a17",
  serviceReleaseUser: "21dbd100-6940-42c2-9190-5d6cb909625c",
  backupUser: "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8",
  restoreUser: "6efe6056-5259-49d2-8b3d-d3d73544b20b",
} as const;

/** Assigns a role (built-in GUID or custom definition name) to a principal at a scope, as the admin. */
export async function assignRole(
  server: ServerProcess,
  principalId: string,
  roleDefinitionName: string,
  scope = "/",
): Promise<void> {
  const prefix = scope === "/" ? "" : scope;
  const response = await rawRequest(server, {
    method: "PUT",
    path: `${prefix}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=7.4`,
    token: await adminToken(server),
    body: {
      properties: {
        roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionName}`,
        principalId,
      },
    },
  });
  if (response.status !== 201) throw new Error(`role assignment failed: ${response.status} ${response.text}`);
}

/** A custom role with exactly these data actions, at "/"; returns its name. */
export async function createCustomRole(
  server: ServerProcess,
  roleName: string,
  dataActions: string[],
): Promise<string> {
  const name = randomUUID();
  const response = await rawRequest(server, {
    method: "PUT",
    path: `/providers/Microsoft.Authorization/roleDefinitions/${name}?api-version=7.4`,
    token: await adminToken(server),
    body: {
      properties: {
        roleName,
        type: "CustomRole",
        permissions: [{ dataActions, notDataActions: [], actions: [], notActions: [] }],
        assignableScopes: ["/"],
      },
    },
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`role definition failed: ${response.status} ${response.text}`);
  }
  return name;
}

/** Gives the initial administrator the key roles (an Administrator alone cannot touch keys). */
export async function grantAdminKeyRoles(server: ServerProcess): Promise<void> {
  await assignRole(server, server.admin.objectId, ROLE.cryptoUser);
  await assignRole(server, server.admin.objectId, ROLE.cryptoOfficer);
}
