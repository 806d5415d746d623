import { join } from "node:path";
import { runPython } from "../../harness/python.js";
import type { ServerProcess } from "../../harness/server-process.js";

const SCRIPT = join(import.meta.dirname, "..", "python", "azure_cli_security_domain.py");

/** What the Azure CLI's security domain code printed: a status, or the server's refusal. */
export interface AzureCliResult {
  status?: string;
  status_details?: string | null;
  error?: { status: number; body: { error: { code: string; message: string } } };
}

/**
 * Runs one `az keyvault security-domain` command's function from Debian's azure-cli
 * (python/azure_cli_security_domain.py) against the server, as its initial administrator.
 */
export function azureCli(
  server: ServerProcess,
  action: "download" | "init-recovery" | "restore-blob" | "upload-blob",
  args: Record<string, unknown>,
): Promise<AzureCliResult> {
  return runPython(SCRIPT, server, server.admin, { SD_ACTION: action, SD_ARGS: JSON.stringify(args) });
}
