import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import { type Pipeline, createPipelineFromOptions } from "@azure/core-rest-pipeline";
import { keyVaultAuthenticationPolicy } from "@azure/keyvault-common";
import { SDK_VERSION } from "../constants.js";
import { logger } from "../logger.js";
import { apiVersionPolicy } from "./api-version-policy.js";

/** What every client's options share: the pipeline's options plus the Key Vault ones. */
export interface AdminPipelineOptions extends CommonClientOptions {
  serviceVersion?: string;
  disableChallengeResourceVerification?: boolean;
}

/** Response headers worth seeing in logs; every other header is logged as REDACTED. */
const LOGGED_HEADERS = [
  "x-ms-keyvault-region",
  "x-ms-keyvault-network-info",
  "x-ms-keyvault-service-version",
  "azure-asyncoperation",
];

/**
 * The Azure core pipeline the official Key Vault libraries use: retries, redirects, the log
 * policy (headers and query values redacted unless allowed; bodies, which hold SAS tokens, never
 * logged), tracing, the User-Agent, then `api-version` and the Key Vault challenge policy from
 * `@azure/keyvault-common` (first request without a body, token for the challenge's resource
 * and tenant, CAE).
 */
export function createAdminPipeline(
  credential: TokenCredential,
  apiVersion: string,
  options: AdminPipelineOptions,
): Pipeline {
  const userAgentPrefix = [options.userAgentOptions?.userAgentPrefix, `mhsm-keyvault-admin/${SDK_VERSION}`]
    .filter(Boolean)
    .join(" ");
  const pipeline = createPipelineFromOptions({
    ...options,
    loggingOptions: { logger: logger.info, additionalAllowedHeaderNames: LOGGED_HEADERS },
    userAgentOptions: { ...options.userAgentOptions, userAgentPrefix },
  });
  pipeline.addPolicy(apiVersionPolicy(apiVersion));
  pipeline.addPolicy(
    keyVaultAuthenticationPolicy(credential, {
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
    }),
  );
  for (const { policy, position } of options.additionalPolicies ?? []) {
    // As @azure/core-client does: per-retry policies run after signing, per-call ones once.
    pipeline.addPolicy(policy, { afterPhase: position === "perRetry" ? "Sign" : undefined });
  }
  return pipeline;
}
