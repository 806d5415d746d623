import { join } from "node:path";
import { type RawResponse, rawRequest } from "../../harness/https-client.js";
import { waitForJob } from "../../harness/jobs.js";
import { runMhsm } from "../../harness/server-process.js";
import type { ServerProcess } from "../../harness/server-process.js";

export const API = "api-version=7.6";

/** A raw request with api-version added. */
export function call(
  server: Pick<ServerProcess, "url" | "ca">,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return rawRequest(server, { method, path: `${path}${path.includes("?") ? "&" : "?"}${API}`, token, body });
}

export const adminFileOf = (server: ServerProcess) => join(server.dataDir, "initial-admin.json");

/** `mhsm security-domain download`, the real CLI, as the server's initial administrator. */
export function downloadWithCli(server: ServerProcess, certificates: string[], file: string, quorum = "2") {
  return runMhsm([
    "security-domain",
    "download",
    "--admin-file",
    adminFileOf(server),
    "--sd-wrapping-keys",
    ...certificates,
    "--sd-quorum",
    quorum,
    "--security-domain-file",
    file,
    "--output",
    "json",
  ]);
}

/** `mhsm security-domain upload`, the real CLI, as the server's initial administrator. */
export function uploadWithCli(
  server: ServerProcess,
  file: string,
  privateKeys: string[],
  passwords: string[] = [],
) {
  return runMhsm([
    "security-domain",
    "upload",
    "--admin-file",
    adminFileOf(server),
    "--sd-file",
    file,
    "--sd-wrapping-keys",
    ...privateKeys,
    ...(passwords.length > 0 ? ["--passwords", ...passwords] : []),
    "--output",
    "json",
  ]);
}

/** Polls a security domain operation's Azure-AsyncOperation URL until it is not InProgress. */
export function waitForOperation(server: ServerProcess, token: string, accepted: RawResponse) {
  return waitForJob(server, token, accepted);
}

/** `mhsm security-domain upload --restore-blob`: a blob another tool prepared, sent as it is. */
export function uploadBlobWithCli(server: ServerProcess, blob: string, extra: string[] = []) {
  return runMhsm([
    "security-domain",
    "upload",
    "--admin-file",
    adminFileOf(server),
    "--sd-file",
    blob,
    "--restore-blob",
    ...extra,
    "--output",
    "json",
  ]);
}
