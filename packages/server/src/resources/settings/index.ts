import type { ResourceModule } from "../../platform/http/resource-module.js";
import { registerSettingRoutes } from "./setting-routes.js";
import type { SettingService } from "./setting-service.js";

/** The HSM's settings (GET /settings, PATCH /settings/{name}). */
export function settingsModule(settings: SettingService): ResourceModule {
  return { register: (routes) => registerSettingRoutes(routes, settings) };
}
