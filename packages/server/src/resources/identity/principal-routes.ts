import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import type { EmbeddedIdentityProvider } from "./embedded-identity-provider.js";
import type { StoredPrincipal } from "./principal-repository.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";

/**
 * mhsm's own admin endpoint for the embedded identity provider's service principals, outside
 * the Azure paths. Managing who can sign in is access administration, so it needs the same
 * data actions as managing role assignments at "/" (Administrator, Policy Administrator).
 */
const createBody = {
  type: "object",
  required: ["displayName"],
  additionalProperties: false,
  properties: { displayName: { type: "string" } },
} as const;

const toWire = (p: StoredPrincipal) => ({
  objectId: p.objectId,
  clientId: p.clientId,
  displayName: p.displayName,
  createdOn: Math.floor(p.createdAt / 1000),
});

export function registerPrincipalRoutes(routes: RouteRegistry, idp: EmbeddedIdentityProvider): void {
  const scope = () => GLOBAL_SCOPE;
  routes.authorized({
    passes: ["activation"],
    method: "GET",
    url: "/mhsm/principals",
    operation: "Principals_List",
    dataAction: DataAction.RoleAssignmentsRead,
    scope,
    apiVersion: false,
    handler: async () => ({ value: (await idp.principals.list()).map(toWire) }),
  });
  routes.authorized({
    passes: ["activation"],
    method: "POST",
    url: "/mhsm/principals",
    operation: "Principals_Create",
    dataAction: DataAction.RoleAssignmentsWrite,
    scope,
    apiVersion: false,
    schema: { body: createBody },
    handler: async (request, reply) => {
      const created = await idp.principals.create((request.body as { displayName: string }).displayName);
      return reply.code(201).send({
        ...toWire(created),
        tenantId: idp.tenantId,
        clientSecret: created.clientSecret,
        tokenEndpoint: idp.tokenEndpoint,
      });
    },
  });
  routes.authorized({
    passes: ["activation"],
    method: "DELETE",
    url: "/mhsm/principals/:objectId",
    operation: "Principals_Delete",
    dataAction: DataAction.RoleAssignmentsDelete,
    scope,
    apiVersion: false,
    handler: async (request) =>
      toWire(await idp.principals.delete((request.params as { objectId: string }).objectId)),
  });
}
