import type { FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import type { RoleDefinition } from "../../platform/authorization/models.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { RoleDefinitionInput, RoleDefinitionService } from "./role-definition-service.js";
import { pageFromRows, pageQueryOf } from "../../platform/http/paging.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { AUTHORIZATION_PROVIDER, SCOPE_PREFIXES } from "./rbac-scopes.js";

const stringList = { type: ["array", "null"], items: { type: "string" }, maxItems: 200 } as const;

const putBody = {
  type: "object",
  required: ["properties"],
  properties: {
    properties: {
      type: "object",
      properties: {
        roleName: { type: ["string", "null"] },
        description: { type: ["string", "null"] },
        type: { type: ["string", "null"] },
        permissions: {
          type: ["array", "null"],
          maxItems: 100,
          items: {
            type: "object",
            properties: {
              actions: stringList,
              notActions: stringList,
              dataActions: stringList,
              notDataActions: stringList,
            },
          },
        },
        assignableScopes: stringList,
      },
    },
  },
} as const;

export function toWireRoleDefinition(definition: RoleDefinition) {
  return {
    id: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${definition.name}`,
    name: definition.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: definition.roleName,
      description: definition.description,
      type: definition.roleType,
      permissions: definition.permissions.map((p) => ({
        actions: p.actions,
        notActions: p.notActions,
        dataActions: p.dataActions,
        notDataActions: p.notDataActions,
      })),
      assignableScopes: definition.assignableScopes,
    },
  };
}

/** `$filter=roleName eq '<name>'` is the one role definition filter the service defines. */
function parseDefinitionFilter(request: FastifyRequest): { roleName?: string } {
  const filter = (request.query as Record<string, unknown>).$filter;
  if (filter === undefined || filter === "") return {};
  const match = typeof filter === "string" ? /^\s*roleName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter) : null;
  if (!match)
    throw KeyVaultErrors.badParameter(
      `The $filter '${String(filter)}' is not supported. Supported: roleName eq '{name}'.`,
    );
  return { roleName: (match[1] as string).replace(/''/g, "'") };
}

/**
 * Role definitions are global: one definition is in force at every scope it is assigned at, so
 * changing one is changing the HSM's access policy. Whatever path spelling a write or delete
 * arrives on (/, /keys or /keys/{name}), it needs its data action at "/", as Managed HSM
 * supports role definitions at "/" only. (Authorizing at the path's scope let a principal with
 * roleDefinitions/write at one key rewrite a role held at "/".) Reads follow the path's scope.
 */
const DEFINITION_WRITE_SCOPE = () => GLOBAL_SCOPE;

export function registerRoleDefinitionRoutes(
  routes: RouteRegistry,
  service: RoleDefinitionService,
  pageSize: number,
): void {
  for (const { prefix, scope } of SCOPE_PREFIXES) {
    const collection = `${prefix}${AUTHORIZATION_PROVIDER}/roleDefinitions`;
    const item = `${collection}/:roleDefinitionName`;
    const nameOf = (request: FastifyRequest) =>
      (request.params as { roleDefinitionName: string }).roleDefinitionName;

    routes.authorized({
      method: "GET",
      url: collection,
      operation: "RoleDefinitions_List",
      dataAction: DataAction.RoleDefinitionsRead,
      scope,
      handler: async (request) => {
        const filter = parseDefinitionFilter(request);
        const { after, size } = pageQueryOf(request, pageSize);
        const rows = await service.list(filter, after, size + 1);
        const page = pageFromRows(request, rows, (entry) => entry.key, size);
        return {
          value: page.value.map((entry) => toWireRoleDefinition(entry.definition)),
          nextLink: page.nextLink,
        };
      },
    });
    routes.authorized({
      method: "GET",
      url: item,
      operation: "RoleDefinitions_Get",
      dataAction: DataAction.RoleDefinitionsRead,
      scope,
      handler: async (request) => toWireRoleDefinition(await service.get(nameOf(request))),
    });
    routes.authorized({
      method: "PUT",
      url: item,
      operation: "RoleDefinitions_CreateOrUpdate",
      dataAction: DataAction.RoleDefinitionsWrite,
      scope: DEFINITION_WRITE_SCOPE,
      schema: { body: putBody },
      handler: async (request, reply) => {
        const body = request.body as { properties: RoleDefinitionInput };
        const definition = await service.createOrUpdate(nameOf(request), body.properties);
        return reply.code(201).send(toWireRoleDefinition(definition));
      },
    });
    routes.authorized({
      method: "DELETE",
      url: item,
      operation: "RoleDefinitions_Delete",
      dataAction: DataAction.RoleDefinitionsDelete,
      scope: DEFINITION_WRITE_SCOPE,
      handler: async (request) => toWireRoleDefinition(await service.delete(nameOf(request))),
    });
  }
}
