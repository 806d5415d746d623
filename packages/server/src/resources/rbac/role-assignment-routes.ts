import type { FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import type { RoleAssignment } from "../../platform/authorization/models.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { RoleAssignmentFilter, RoleAssignmentService } from "./role-assignment-service.js";
import { pageFromRows, pageQueryOf } from "../../platform/http/paging.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { AUTHORIZATION_PROVIDER, SCOPE_PREFIXES } from "./rbac-scopes.js";

const putBody = {
  type: "object",
  required: ["properties"],
  properties: {
    properties: {
      type: "object",
      required: ["roleDefinitionId", "principalId"],
      properties: {
        roleDefinitionId: { type: "string", minLength: 1, maxLength: 400 },
        principalId: { type: "string", minLength: 1, maxLength: 100 },
      },
    },
  },
} as const;

export function toWireRoleAssignment(assignment: RoleAssignment) {
  const scopePrefix = assignment.scope === "/" ? "" : assignment.scope;
  return {
    id: `${scopePrefix}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
    name: assignment.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      scope: assignment.scope,
      roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleDefinitionName}`,
      principalId: assignment.principalId,
    },
  };
}

/** `atScope()` and `principalId eq '<id>'`, alone or joined by `and`. */
export function parseAssignmentFilter(raw: unknown): RoleAssignmentFilter {
  if (raw === undefined || raw === "") return {};
  if (typeof raw !== "string")
    throw KeyVaultErrors.badParameter("The $filter query parameter is given more than once.");
  const filter: RoleAssignmentFilter = {};
  for (const clause of raw.split(/\s+and\s+/i)) {
    const principal = /^\s*principalId\s+eq\s+'([^']+)'\s*$/i.exec(clause);
    if (/^\s*atScope\(\)\s*$/i.test(clause)) filter.atScope = true;
    else if (principal) filter.principalId = principal[1] as string;
    else {
      throw KeyVaultErrors.badParameter(
        `The $filter '${raw}' is not supported. Supported: atScope(), principalId eq '{id}', or both joined by 'and'.`,
      );
    }
  }
  return filter;
}

export function registerRoleAssignmentRoutes(
  routes: RouteRegistry,
  service: RoleAssignmentService,
  pageSize: number,
): void {
  for (const { prefix, scope } of SCOPE_PREFIXES) {
    const collection = `${prefix}${AUTHORIZATION_PROVIDER}/roleAssignments`;
    const item = `${collection}/:roleAssignmentName`;
    const nameOf = (request: FastifyRequest) =>
      (request.params as { roleAssignmentName: string }).roleAssignmentName;

    routes.authorized({
      method: "GET",
      url: collection,
      operation: "RoleAssignments_ListForScope",
      dataAction: DataAction.RoleAssignmentsRead,
      scope,
      handler: async (request) => {
        const filter = parseAssignmentFilter((request.query as Record<string, unknown>).$filter);
        const { after, size } = pageQueryOf(request, pageSize);
        const rows = await service.list(scope(request), filter, after, size + 1);
        const page = pageFromRows(request, rows, (a) => a.name, size);
        return { value: page.value.map(toWireRoleAssignment), nextLink: page.nextLink };
      },
    });
    routes.authorized({
      method: "GET",
      url: item,
      operation: "RoleAssignments_Get",
      dataAction: DataAction.RoleAssignmentsRead,
      scope,
      handler: async (request) => toWireRoleAssignment(await service.get(scope(request), nameOf(request))),
    });
    routes.authorized({
      method: "PUT",
      url: item,
      operation: "RoleAssignments_Create",
      dataAction: DataAction.RoleAssignmentsWrite,
      scope,
      schema: { body: putBody },
      handler: async (request, reply) => {
        const body = request.body as { properties: { roleDefinitionId: string; principalId: string } };
        const assignment = await service.create(scope(request), nameOf(request), body.properties);
        return reply.code(201).send(toWireRoleAssignment(assignment));
      },
    });
    routes.authorized({
      method: "DELETE",
      url: item,
      operation: "RoleAssignments_Delete",
      dataAction: DataAction.RoleAssignmentsDelete,
      scope,
      handler: async (request) => toWireRoleAssignment(await service.delete(scope(request), nameOf(request))),
    });
  }
}
