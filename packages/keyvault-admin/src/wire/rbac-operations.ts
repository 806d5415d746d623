import type { OperationOptions } from "@azure/core-client";
import type { AdminHttpClient } from "../http/admin-http-client.js";
import type { WireList, WirePermission, WireRoleAssignment, WireRoleDefinition } from "./models.js";

type Collection = "roleDefinitions" | "roleAssignments";

/**
 * `/{scope}/providers/Microsoft.Authorization/{collection}[/{name}]`. The scope's own slashes are
 * kept (it is a path, "/keys/my-key"); "/" becomes "/providers/...", which a Managed HSM accepts.
 */
function rbacPath(scope: string, collection: Collection, name?: string): string {
  const scopePath = scope
    .split("/")
    .filter((segment) => segment.length > 0)
    .map(encodeURIComponent)
    .map((segment) => `/${segment}`)
    .join("");
  const tail = name === undefined ? "" : `/${encodeURIComponent(name)}`;
  return `${scopePath}/providers/Microsoft.Authorization/${collection}${tail}`;
}

export async function listRbacPage<T extends WireRoleDefinition | WireRoleAssignment>(
  client: AdminHttpClient,
  scope: string,
  collection: Collection,
  nextLink: string | undefined,
  options: OperationOptions,
): Promise<WireList<T>> {
  const url = nextLink ?? rbacPath(scope, collection);
  const response = await client.send<WireList<T>>({ method: "GET", url, expectedStatuses: [200], options });
  return response.body ?? {};
}

export async function getRoleDefinition(
  client: AdminHttpClient,
  scope: string,
  name: string,
  options: OperationOptions,
): Promise<WireRoleDefinition> {
  const url = rbacPath(scope, "roleDefinitions", name);
  return (await client.send<WireRoleDefinition>({ method: "GET", url, expectedStatuses: [200], options }))
    .body;
}

export interface WireRoleDefinitionProperties {
  roleName?: string;
  description?: string;
  type: "CustomRole";
  permissions?: WirePermission[];
  assignableScopes?: string[];
}

export async function putRoleDefinition(
  client: AdminHttpClient,
  scope: string,
  name: string,
  properties: WireRoleDefinitionProperties,
  options: OperationOptions,
): Promise<WireRoleDefinition> {
  const url = rbacPath(scope, "roleDefinitions", name);
  const response = await client.send<WireRoleDefinition>({
    method: "PUT",
    url,
    body: { properties },
    expectedStatuses: [200, 201],
    options,
  });
  return response.body;
}

export async function deleteRoleDefinition(
  client: AdminHttpClient,
  scope: string,
  name: string,
  options: OperationOptions,
): Promise<void> {
  const url = rbacPath(scope, "roleDefinitions", name);
  await client.send({ method: "DELETE", url, expectedStatuses: [200, 204], options });
}

export async function getRoleAssignment(
  client: AdminHttpClient,
  scope: string,
  name: string,
  options: OperationOptions,
): Promise<WireRoleAssignment> {
  const url = rbacPath(scope, "roleAssignments", name);
  return (await client.send<WireRoleAssignment>({ method: "GET", url, expectedStatuses: [200], options }))
    .body;
}

export async function putRoleAssignment(
  client: AdminHttpClient,
  scope: string,
  name: string,
  properties: { roleDefinitionId: string; principalId: string },
  options: OperationOptions,
): Promise<WireRoleAssignment> {
  const url = rbacPath(scope, "roleAssignments", name);
  const response = await client.send<WireRoleAssignment>({
    method: "PUT",
    url,
    body: { properties },
    expectedStatuses: [200, 201],
    options,
  });
  return response.body;
}

export async function deleteRoleAssignment(
  client: AdminHttpClient,
  scope: string,
  name: string,
  options: OperationOptions,
): Promise<void> {
  const url = rbacPath(scope, "roleAssignments", name);
  await client.send({ method: "DELETE", url, expectedStatuses: [200, 204], options });
}
