import type { OperationOptions } from "@azure/core-client";
import type { AdminHttpClient, AdminResponse } from "../http/admin-http-client.js";
import type { WireJob, WireSasTokenParameter } from "./models.js";

/** The requests that start a backup or restore job; each answers 202 with the job. */
export type JobStart =
  | { kind: "backup" | "preBackup"; parameters: WireSasTokenParameter }
  | { kind: "restore" | "preRestore"; parameters: WireSasTokenParameter; folderName: string }
  | { kind: "selectiveKeyRestore"; parameters: WireSasTokenParameter; folderName: string; keyName: string };

/** Accepting 200 too: a service may answer a start it already finished that way. */
const STARTED = [200, 202];

export function startJob(
  client: AdminHttpClient,
  start: JobStart,
  options: OperationOptions,
): Promise<AdminResponse<WireJob | undefined>> {
  switch (start.kind) {
    case "backup":
    case "preBackup":
      return client.send({
        method: "POST",
        url: start.kind === "backup" ? "/backup" : "/prebackup",
        body: start.parameters,
        expectedStatuses: STARTED,
        options,
      });
    case "restore":
    case "preRestore":
      return client.send({
        method: "PUT",
        url: start.kind === "restore" ? "/restore" : "/prerestore",
        body: { sasTokenParameters: start.parameters, folderToRestore: start.folderName },
        expectedStatuses: STARTED,
        options,
      });
    case "selectiveKeyRestore":
      return client.send({
        method: "PUT",
        url: `/keys/${encodeURIComponent(start.keyName)}/restore`,
        body: { sasTokenParameters: start.parameters, folder: start.folderName },
        expectedStatuses: STARTED,
        options,
      });
  }
}

/** GET of the job's status URL (the `Azure-AsyncOperation` header), as the service gave it. */
export function getJobStatus(
  client: AdminHttpClient,
  statusUrl: string,
  options: OperationOptions,
): Promise<AdminResponse<WireJob | undefined>> {
  return client.send({ method: "GET", url: statusUrl, expectedStatuses: [200], options });
}
