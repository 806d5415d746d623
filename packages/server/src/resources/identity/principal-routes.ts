import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import type { EmbeddedIdentityProvider } from "./embedded-identity-provider.js";
import type { StoredPrincipal } from "./principal-repository.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { pageFromRows, pageQueryOf } from "../../platform/http/paging.js";

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

/** A principal's place in the list: creation time (fixed width), then its object id. */
const orderKey = (p: StoredPrincipal) => `${String(p.createdAt).padStart(15, "0")}-${p.objectId}`;

function parseOrderKey(key: string | undefined): { createdAt: number; objectId: string } | undefined {
  if (key === undefined) return undefined;
  const match = /^(\d{15})-([0-9A-Fa-f-]{36})$/.exec(key);
  if (!match) throw KeyVaultErrors.badParameter("The $skiptoken query parameter is not valid.");
  return { createdAt: Number(match[1]), objectId: match[2] as string };
}

export function registerPrincipalRoutes(
  routes: RouteRegistry,
  idp: EmbeddedIdentityProvider,
  pageSize = 100,
): void {
  const scope = () => GLOBAL_SCOPE;
  routes.authorized({
    passes: ["activation"],
    method: "GET",
    url: "/mhsm/principals",
    operation: "Principals_List",
    dataAction: DataAction.RoleAssignmentsRead,
    scope,
    apiVersion: false,
    handler: async (request) => {
      const { after, size } = pageQueryOf(request, pageSize);
      const rows = await idp.principals.list(parseOrderKey(after), size + 1);
      const page = pageFromRows(request, rows, orderKey, size);
      return { value: page.value.map(toWire), nextLink: page.nextLink };
    },
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
