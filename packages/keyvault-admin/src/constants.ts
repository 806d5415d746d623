/** The version of this library, sent in the User-Agent header. */
export const SDK_VERSION: string = "0.1.0";

/** The latest Key Vault service API version this library speaks; the default. */
export const LATEST_API_VERSION = "2025-07-01";

/** The Key Vault service API versions this library speaks, as `@azure/keyvault-admin` 4.7 names them. */
export type SUPPORTED_API_VERSIONS = "7.2" | "7.3" | "7.4" | "7.5" | "7.6" | "2025-07-01";
