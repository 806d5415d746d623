export { startServer, type RunningServer } from "./server.js";
export * from "./security-domain/client-side.js";
export {
  parseServerConfig,
  serverConfigSchema,
  ConfigError,
  type ServerConfig,
  type ServerConfigInput,
} from "./config/server-config.js";
export { SUPPORTED_API_VERSIONS } from "./http/api-version.js";
export { migrateStore } from "./migrate.js";
export { redactPassword } from "./store/database.js";
