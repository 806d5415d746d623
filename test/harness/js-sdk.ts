import { Agent } from "node:https";
import { type HttpClient, createDefaultHttpClient } from "@azure/core-rest-pipeline";

/**
 * An HttpClient for the Azure JS SDKs that trusts the test server's CA, the in-process
 * equivalent of NODE_EXTRA_CA_CERTS (which Node reads only at start).
 */
export function httpClientTrusting(ca: string): HttpClient {
  const inner = createDefaultHttpClient();
  const agent = new Agent({ ca, keepAlive: true });
  return {
    sendRequest(request) {
      request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}
