import { DataAction } from "../../platform/authorization/data-actions.js";
import { KEYS_SCOPE } from "../../platform/authorization/scope.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { type KeyRouteServices, baseUrlOf, keyNameOf, keyPage, keyScopeOf } from "./key-route-support.js";
import { toDeletedKeyBundle, toDeletedKeyItem, toKeyBundle } from "./key-wire.js";

/** Soft delete: DELETE /keys/{name}, and the /deletedkeys collection (get, list, recover, purge). */
export function registerDeletedKeyRoutes(routes: RouteRegistry, services: KeyRouteServices): void {
  const { deletedKeys, softDelete } = services;

  routes.authorized({
    method: "DELETE",
    url: "/keys/:keyName",
    operation: "DeleteKey",
    dataAction: DataAction.KeysDelete,
    scope: keyScopeOf,
    handler: async (request) =>
      toDeletedKeyBundle(baseUrlOf(request), await deletedKeys.delete(keyNameOf(request)), softDelete),
  });

  routes.authorized({
    method: "GET",
    url: "/deletedkeys",
    operation: "GetDeletedKeys",
    dataAction: DataAction.DeletedKeysRead,
    scope: () => KEYS_SCOPE,
    handler: async (request) => {
      const page = await keyPage(
        request,
        (query) => deletedKeys.list(query.after, query.size),
        (deleted) => deleted.version.name,
      );
      const base = baseUrlOf(request);
      return {
        value: page.value.map((deleted) => toDeletedKeyItem(base, deleted, softDelete)),
        nextLink: page.nextLink,
      };
    },
  });

  routes.authorized({
    method: "GET",
    url: "/deletedkeys/:keyName",
    operation: "GetDeletedKey",
    dataAction: DataAction.DeletedKeysRead,
    scope: keyScopeOf,
    handler: async (request) =>
      toDeletedKeyBundle(baseUrlOf(request), await deletedKeys.get(keyNameOf(request)), softDelete),
  });

  routes.authorized({
    method: "POST",
    url: "/deletedkeys/:keyName/recover",
    operation: "RecoverDeletedKey",
    dataAction: DataAction.DeletedKeysRecover,
    scope: keyScopeOf,
    handler: async (request) =>
      toKeyBundle(baseUrlOf(request), await deletedKeys.recover(keyNameOf(request)), softDelete),
  });

  routes.authorized({
    method: "DELETE",
    url: "/deletedkeys/:keyName",
    operation: "PurgeDeletedKey",
    dataAction: DataAction.DeletedKeysPurge,
    scope: keyScopeOf,
    handler: async (request, reply) => {
      await deletedKeys.purge(keyNameOf(request));
      return reply.code(204).send();
    },
  });
}
