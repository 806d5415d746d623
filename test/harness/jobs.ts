import { type RawResponse, rawRequest } from "./https-client.js";
import type { ServerProcess } from "./server-process.js";
import { waitFor } from "./wait-for.js";

/** Polls a job's Azure-AsyncOperation URL until it is no longer InProgress. */
export async function waitForJob(
  server: Pick<ServerProcess, "url" | "ca">,
  token: string,
  accepted: RawResponse,
  timeoutMs = 60_000,
): Promise<RawResponse> {
  const statusUrl = String(accepted.headers["azure-asyncoperation"]);
  const path = statusUrl.slice(new URL(statusUrl).origin.length);
  return waitFor(() => rawRequest(server, { path, token }), {
    what: `job ${path} to leave InProgress`,
    timeoutMs,
    intervalMs: 100,
    until: (status) => status.status !== 200 || status.json.status !== "InProgress",
  });
}
