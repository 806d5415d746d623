import { createTracingClient } from "@azure/core-tracing";
import { SDK_VERSION } from "./constants.js";

/** Spans named `KeyVault<Client>.<method>`, under the namespace the Key Vault libraries share. */
export const tracingClient = createTracingClient({
  namespace: "Microsoft.KeyVault",
  packageName: "@mhsm/keyvault-admin",
  packageVersion: SDK_VERSION,
});
