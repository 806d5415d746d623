import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { type HttpClient, createDefaultHttpClient } from "@azure/core-rest-pipeline";

/**
 * An HttpClient that also trusts `caPem` (a local mhsm server's own CA), for the Key Vault
 * clients and the credential alike. Node reads NODE_EXTRA_CA_CERTS only when it starts, so the
 * CA is pinned on an https.Agent here rather than by re-running the command with that variable:
 * no second process, and the CA is trusted only for the requests of this command. The public
 * roots stay trusted, so an identity provider on the internet still works next to a local CA.
 */
export function httpClientTrusting(caPem: string): HttpClient {
  const inner = createDefaultHttpClient();
  const agent = new Agent({ ca: [...rootCertificates, caPem], keepAlive: true });
  return {
    sendRequest(request) {
      request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}
