import { type PipelineResponse, RestError } from "@azure/core-rest-pipeline";

/** The Key Vault error body: `{"error":{"code","message","innererror"}}`. */
interface KeyVaultErrorBody {
  error?: { code?: string; message?: string } | null;
}

/**
 * A RestError carrying the service's error code and message, as the Azure SDKs throw for any
 * status the operation does not expect. `details` holds the parsed body.
 */
export function restErrorFrom(response: PipelineResponse, body: unknown): RestError {
  const error = (body as KeyVaultErrorBody | undefined)?.error ?? undefined;
  const message = error?.message ?? (response.bodyAsText || `Unexpected status code: ${response.status}`);
  const restError = new RestError(message, {
    code: error?.code,
    statusCode: response.status,
    request: response.request,
    response,
  });
  restError.details = body;
  return restError;
}
