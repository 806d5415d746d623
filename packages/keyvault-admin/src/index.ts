/** The service versions this client speaks, as @azure/keyvault-admin 4.7 names them. */
export const SUPPORTED_API_VERSIONS = ["7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"] as const;
export const LATEST_API_VERSION = "2025-07-01";
