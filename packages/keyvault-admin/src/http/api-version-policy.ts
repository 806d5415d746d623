import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * Adds `api-version` to every request that lacks one. Links the service hands back (a list's
 * `nextLink`, a job's `Azure-AsyncOperation` URL) may come without it, and the service refuses a
 * request without a version.
 */
export function apiVersionPolicy(apiVersion: string): PipelinePolicy {
  return {
    name: "keyVaultAdminApiVersionPolicy",
    sendRequest(request, next) {
      const url = new URL(request.url);
      if (!url.searchParams.has("api-version")) {
        url.searchParams.set("api-version", apiVersion);
        request.url = url.toString();
      }
      return next(request);
    },
  };
}
