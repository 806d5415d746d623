import {
  type Pipeline,
  RestError,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
} from "@azure/core-rest-pipeline";
import { keyVaultAuthenticationPolicy } from "@azure/keyvault-common";
import type { HsmTarget } from "./hsm-target.js";

/** The Key Vault error body: `{"error":{"code","message"}}`. */
interface ErrorBody {
  error?: { code?: string; message?: string } | null;
}

/**
 * Plain JSON requests to an HSM for what the client libraries have no method for: mhsm's own
 * `/mhsm/principals` endpoint, and the status of a backup or restore job known by its id. It
 * uses the same Azure pipeline (retries, the Key Vault challenge, the credential) as the
 * libraries, so it authenticates against mhsm and a real Managed HSM alike.
 */
export class HsmRestClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor(private readonly target: HsmTarget) {
    this.pipeline = createPipelineFromOptions({ userAgentOptions: { userAgentPrefix: "mhsm-cli" } });
    this.pipeline.addPolicy(
      keyVaultAuthenticationPolicy(target.credential, {
        disableChallengeResourceVerification: target.clientOptions.disableChallengeResourceVerification,
      }),
    );
    this.httpClient = target.clientOptions.httpClient ?? createDefaultHttpClient();
  }

  /** Sends a request; resolves with the parsed JSON body, rejects with a RestError. */
  async send(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    const headers = createHttpHeaders({ accept: "application/json" });
    if (body !== undefined) headers.set("content-type", "application/json");
    const request = createPipelineRequest({
      url: `${this.target.vaultUrl}${path}`,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    let parsed: unknown;
    try {
      parsed = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.status >= 400) {
      const error = (parsed as ErrorBody | undefined)?.error ?? undefined;
      throw new RestError(error?.message ?? `the HSM answered ${response.status}`, {
        code: error?.code,
        statusCode: response.status,
      });
    }
    return parsed;
  }
}
