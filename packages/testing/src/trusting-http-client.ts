import { Agent } from "node:https";
import { type HttpClient, createDefaultHttpClient } from "@azure/core-rest-pipeline";

/**
 * An HttpClient for the Azure SDKs that trusts one CA (the throwaway HSM's), without touching
 * NODE_EXTRA_CA_CERTS or the rest of the process's TLS trust.
 */
export function httpClientTrusting(caCertificate: string): HttpClient {
  const inner = createDefaultHttpClient();
  const agent = new Agent({ ca: caCertificate, keepAlive: true });
  return {
    sendRequest(request) {
      request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}
