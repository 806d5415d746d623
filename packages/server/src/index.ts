export { startServer, type RunningServer } from "./main/server.js";
export * from "./resources/security-domain/client-side.js";
export {
  parseServerConfig,
  serverConfigSchema,
  ConfigError,
  type ServerConfig,
  type ServerConfigInput,
} from "./platform/config/server-config.js";
export { loadServerConfig, type ServerConfigSources } from "./platform/config/load-server-config.js";
export * from "./platform/config/settings.js";
export { SUPPORTED_API_VERSIONS } from "./platform/http/api-version.js";
export { migrateStore } from "./main/migrate.js";
export { redactPassword } from "./platform/store/database.js";
