import { readFile } from "node:fs/promises";
import { CliError } from "../cli-error.js";

/** `<data-dir>/initial-admin.json`, which a local mhsm server writes on its first start. */
export interface AdminFile {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string;
  vaultUrl: string;
  caFile?: string;
}

const REQUIRED = ["tenantId", "clientId", "clientSecret", "tokenEndpoint", "vaultUrl"] as const;

export async function readAdminFile(path: string): Promise<AdminFile> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "is not JSON";
    throw new CliError("BadAdminFile", `--admin-file ${path} ${reason}`);
  }
  for (const field of REQUIRED) {
    if (typeof parsed[field] !== "string" || parsed[field] === "") {
      throw new CliError("BadAdminFile", `--admin-file ${path} has no ${field}`);
    }
  }
  const admin = parsed as unknown as AdminFile;
  return { ...admin, caFile: typeof parsed.caFile === "string" ? parsed.caFile : undefined };
}

/**
 * The identity provider's authority host, which @azure/identity wants: the token endpoint is
 * `<authority host>/<tenant>/oauth2/v2.0/token`.
 */
export function authorityHostOf(admin: AdminFile): string {
  const suffix = `/${admin.tenantId}/oauth2/v2.0/token`;
  return admin.tokenEndpoint.endsWith(suffix)
    ? admin.tokenEndpoint.slice(0, -suffix.length)
    : new URL(admin.tokenEndpoint).origin;
}
