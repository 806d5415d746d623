import { DataAction } from "../../platform/authorization/data-actions.js";
import { KEYS_SCOPE } from "../../platform/authorization/scope.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { decodeBase64Url, encodeBase64Url } from "./base64url.js";
import { type ImportedJwk, materialFromJwk } from "./jwk-import.js";
import {
  type KeyRouteServices,
  type WireKeyProperties,
  baseUrlOf,
  keyNameOf,
  keyPage,
  keyScopeOf,
  parseVersionOrderKey,
  propertiesFromWire,
  versionOf,
  versionOrderKey,
} from "./key-route-support.js";
import {
  createKeyBody,
  importKeyBody,
  restoreBody,
  rotationPolicyBody,
  updateKeyBody,
} from "./key-request-schemas.js";
import { type CreateShapeInput, shapeFromCreateRequest } from "./key-shapes.js";
import { toKeyBundle, toKeyItem, toRotationPolicy } from "./key-wire.js";
import type { RotationPolicyInput } from "./rotation-policy.js";

/** The key lifecycle: create, import, get, list, update, rotate, rotation policy, backup, restore. */
export function registerKeyRoutes(routes: RouteRegistry, services: KeyRouteServices): void {
  const { keys, backups, softDelete } = services;
  const bundle = (request: Parameters<typeof baseUrlOf>[0], key: Parameters<typeof toKeyBundle>[1]) =>
    toKeyBundle(baseUrlOf(request), key, softDelete);

  routes.authorized({
    method: "POST",
    url: "/keys/:keyName/create",
    operation: "CreateKey",
    dataAction: DataAction.KeysCreate,
    scope: keyScopeOf,
    schema: { body: createKeyBody },
    handler: async (request) => {
      const body = request.body as CreateShapeInput & WireKeyProperties;
      const shape = shapeFromCreateRequest(body);
      return bundle(request, await keys.create(keyNameOf(request), shape, propertiesFromWire(body)));
    },
  });

  routes.authorized({
    method: "PUT",
    url: "/keys/:keyName",
    operation: "ImportKey",
    dataAction: DataAction.KeysImport,
    scope: keyScopeOf,
    schema: { body: importKeyBody },
    handler: async (request) => {
      const body = request.body as { key: ImportedJwk & { key_ops?: string[] | null } } & WireKeyProperties;
      const material = await materialFromJwk(body.key);
      const properties = propertiesFromWire({ ...body, key_ops: body.key.key_ops });
      return bundle(request, await keys.import(keyNameOf(request), material, properties));
    },
  });

  for (const url of ["/keys/:keyName", "/keys/:keyName/:keyVersion"]) {
    routes.authorized({
      method: "GET",
      url,
      operation: "GetKey",
      dataAction: DataAction.KeysRead,
      scope: keyScopeOf,
      handler: async (request) => {
        const key = await keys.get(keyNameOf(request), versionOf(request));
        return bundle(request, key.version);
      },
    });
    routes.authorized({
      method: "PATCH",
      url,
      operation: "UpdateKey",
      dataAction: DataAction.KeysWrite,
      scope: keyScopeOf,
      schema: { body: updateKeyBody },
      handler: async (request) => {
        const properties = propertiesFromWire(request.body as WireKeyProperties);
        return bundle(request, await keys.update(keyNameOf(request), versionOf(request), properties));
      },
    });
  }

  routes.authorized({
    method: "GET",
    url: "/keys",
    operation: "GetKeys",
    dataAction: DataAction.KeysRead,
    scope: () => KEYS_SCOPE,
    handler: async (request) => {
      const page = await keyPage(
        request,
        (query) => keys.list(query.after, query.size),
        (key) => key.name,
      );
      const base = baseUrlOf(request);
      return {
        value: page.value.map((key) => toKeyItem(base, key, softDelete, false)),
        nextLink: page.nextLink,
      };
    },
  });

  routes.authorized({
    method: "GET",
    url: "/keys/:keyName/versions",
    operation: "GetKeyVersions",
    dataAction: DataAction.KeysRead,
    scope: keyScopeOf,
    handler: async (request) => {
      const name = keyNameOf(request);
      const page = await keyPage(
        request,
        (query) => keys.listVersions(name, parseVersionOrderKey(query.after), query.size),
        versionOrderKey,
      );
      const base = baseUrlOf(request);
      return {
        value: page.value.map((key) => toKeyItem(base, key, softDelete, true)),
        nextLink: page.nextLink,
      };
    },
  });

  routes.authorized({
    method: "POST",
    url: "/keys/:keyName/rotate",
    operation: "RotateKey",
    dataAction: DataAction.KeysRotate,
    scope: keyScopeOf,
    handler: async (request) => {
      const rotated = await keys.rotate(keyNameOf(request));
      return bundle(request, rotated as NonNullable<typeof rotated>);
    },
  });

  routes.authorized({
    method: "GET",
    url: "/keys/:keyName/rotationpolicy",
    operation: "GetKeyRotationPolicy",
    dataAction: DataAction.KeysRead,
    scope: keyScopeOf,
    handler: async (request) => {
      const name = keyNameOf(request);
      return toRotationPolicy(baseUrlOf(request), name, await keys.getRotationPolicy(name));
    },
  });

  routes.authorized({
    method: "PUT",
    url: "/keys/:keyName/rotationpolicy",
    operation: "UpdateKeyRotationPolicy",
    dataAction: DataAction.KeysRotate,
    scope: keyScopeOf,
    schema: { body: rotationPolicyBody },
    handler: async (request) => {
      const name = keyNameOf(request);
      const policy = await keys.setRotationPolicy(name, request.body as RotationPolicyInput);
      return toRotationPolicy(baseUrlOf(request), name, policy);
    },
  });

  routes.authorized({
    method: "POST",
    url: "/keys/:keyName/backup",
    operation: "BackupKey",
    dataAction: DataAction.KeysBackup,
    scope: keyScopeOf,
    handler: async (request) => ({ value: encodeBase64Url(await backups.backup(keyNameOf(request))) }),
  });

  routes.authorized({
    method: "POST",
    url: "/keys/restore",
    operation: "RestoreKey",
    dataAction: DataAction.KeysRestore,
    // The key's name is inside the blob, unknown until the body is read; the check runs first.
    scope: () => KEYS_SCOPE,
    schema: { body: restoreBody },
    handler: async (request) => {
      const blob = decodeBase64Url((request.body as { value: string }).value, "value");
      return bundle(request, await backups.restore(blob));
    },
  });
}
