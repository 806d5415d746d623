import type { FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import type { SettingService } from "./setting-service.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";

const updateBody = {
  type: "object",
  required: ["value"],
  properties: { value: { type: "string", maxLength: 1024 } },
} as const;

export function registerSettingRoutes(routes: RouteRegistry, settings: SettingService): void {
  const scope = () => GLOBAL_SCOPE;
  const nameOf = (request: FastifyRequest) => (request.params as { settingName: string }).settingName;
  routes.authorized({
    method: "GET",
    url: "/settings",
    operation: "GetSettings",
    dataAction: DataAction.SettingsRead,
    scope,
    handler: async () => ({ settings: await settings.list() }),
  });
  routes.authorized({
    method: "GET",
    url: "/settings/:settingName",
    operation: "GetSetting",
    dataAction: DataAction.SettingsRead,
    scope,
    handler: async (request) => settings.get(nameOf(request)),
  });
  routes.authorized({
    method: "PATCH",
    url: "/settings/:settingName",
    operation: "UpdateSetting",
    dataAction: DataAction.SettingsWrite,
    scope,
    schema: { body: updateBody },
    handler: async (request) => settings.update(nameOf(request), (request.body as { value: string }).value),
  });
}
