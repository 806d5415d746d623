import { createClientLogger } from "@azure/logger";

/**
 * The library's logger. `AZURE_LOG_LEVEL=info` (or `setLogLevel("info")` from `@azure/logger`)
 * shows each request and response with secrets redacted by the pipeline's log policy.
 */
export const logger = createClientLogger("keyvault-admin");
