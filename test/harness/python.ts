import { spawn } from "node:child_process";
import type { ServerProcess } from "./server-process.js";

/** The official Python SDKs come from Debian's python3-azure and run under /usr/bin/python3. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * Runs a Python script against the server with the official SDK: the admin credentials, vault
 * URL and CA come in through the environment, the script prints one JSON document.
 */
export function runPython(
  script: string,
  server: ServerProcess,
  credentials: { clientId: string; clientSecret: string } = server.admin,
  extraEnv: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const env = {
    ...process.env,
    MHSM_VAULT_URL: server.url,
    MHSM_TENANT_ID: server.admin.tenantId,
    MHSM_CLIENT_ID: credentials.clientId,
    MHSM_CLIENT_SECRET: credentials.clientSecret,
    MHSM_AUTHORITY: server.url,
    REQUESTS_CA_BUNDLE: server.admin.caFile,
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`python ${script} exited ${code}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`python ${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
