import { AbortError } from "@azure/abort-controller";
import type { TokenCredential } from "@azure/core-auth";
import type { FullOperationResponse, OperationOptions } from "@azure/core-client";
import {
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelineResponse,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { LATEST_API_VERSION } from "../constants.js";
import { type AdminPipelineOptions, createAdminPipeline } from "./admin-pipeline.js";
import { restErrorFrom } from "./rest-error.js";

export interface AdminRequest {
  method: HttpMethods;
  /**
   * A path under the vault URL (`/backup`), or an absolute URL the service handed back (a list's
   * `nextLink`, a job's `Azure-AsyncOperation`), which is used as it is.
   */
  url: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Any other status becomes a RestError with the service's code and message. */
  expectedStatuses: number[];
  options?: OperationOptions;
}

export interface AdminResponse<T> {
  status: number;
  body: T;
  raw: PipelineResponse;
}

/**
 * Sends JSON requests to one vault through the Azure core pipeline. This is the whole wire
 * layer: the operations in `wire/` say which method, path and body; this says how.
 */
export class AdminHttpClient {
  readonly vaultUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly allowInsecureConnection: boolean | undefined;

  constructor(vaultUrl: string, credential: TokenCredential, options: AdminPipelineOptions) {
    this.vaultUrl = vaultUrl.replace(/\/+$/, "");
    this.pipeline = createAdminPipeline(credential, options.serviceVersion || LATEST_API_VERSION, options);
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    this.allowInsecureConnection = options.allowInsecureConnection;
  }

  async send<T>(request: AdminRequest): Promise<AdminResponse<T>> {
    const { options = {} } = request;
    const headers = createHttpHeaders({ accept: "application/json" });
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      // Without "; charset=utf-8": the service refuses it on some operations.
      headers.set("content-type", "application/json");
    }
    for (const [name, value] of Object.entries(options.requestOptions?.customHeaders ?? {})) {
      headers.set(name, value);
    }
    const pipelineRequest = createPipelineRequest({
      url: this.resolve(request.url),
      method: request.method,
      headers,
      body,
      abortSignal: options.abortSignal,
      timeout: options.requestOptions?.timeout,
      allowInsecureConnection:
        options.requestOptions?.allowInsecureConnection ?? this.allowInsecureConnection,
    });
    // Set here: createPipelineRequest drops it, and the tracing policy reads it to nest each
    // request's span inside the operation's.
    pipelineRequest.tracingOptions = options.tracingOptions;
    const response = await this.pipeline
      .sendRequest(this.httpClient, pipelineRequest)
      .catch((error: unknown) => Promise.reject(asAzureAbortError(error)));
    const parsed = parseJson(response.bodyAsText ?? undefined);
    const fullResponse: FullOperationResponse = {
      ...response,
      parsedBody: parsed,
      request: response.request,
    };
    if (!request.expectedStatuses.includes(response.status)) {
      const error = restErrorFrom(response, parsed);
      options.onResponse?.(fullResponse, parsed, error);
      throw error;
    }
    options.onResponse?.(fullResponse, parsed);
    return { status: response.status, body: parsed as T, raw: response };
  }

  private resolve(url: string): string {
    return /^https?:\/\//i.test(url) ? url : `${this.vaultUrl}${url}`;
  }
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page, say): the RestError keeps the text as its message.
    return undefined;
  }
}

/**
 * core-rest-pipeline's HTTP client (through @typespec/ts-http-runtime) throws an AbortError class
 * of its own; callers of @azure/keyvault-admin test `instanceof AbortError` from
 * @azure/abort-controller, so an abort is rethrown as that class, message and cause kept.
 */
function asAzureAbortError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "AbortError" || error instanceof AbortError) return error;
  const converted = new AbortError(error.message);
  converted.cause = error;
  return converted;
}
