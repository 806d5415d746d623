import { type RawResponse, rawRequest } from "./https-client.js";
import type { ServerProcess } from "./server-process.js";

/** Polls a job's Azure-AsyncOperation URL until it is no longer InProgress. */
export async function waitForJob(
  server: Pick<ServerProcess, "url" | "ca">,
  token: string,
  accepted: RawResponse,
  timeoutMs = 60_000,
): Promise<RawResponse> {
  const statusUrl = String(accepted.headers["azure-asyncoperation"]);
  const path = statusUrl.slice(new URL(statusUrl).origin.length);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await rawRequest(server, { path, token });
    if (status.status !== 200 || status.json.status !== "InProgress") return status;
    if (Date.now() > deadline) throw new Error(`job still InProgress after ${timeoutMs} ms: ${status.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
