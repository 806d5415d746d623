import { readFile, writeFile } from "node:fs/promises";
import type { SeededPrincipal } from "./apply-seed.js";

/** One principal of <data-dir>/seeded-principals.json: what a client needs to sign in as it. */
export interface SeededPrincipalCredentials {
  tenantId: string;
  clientId: string;
  /** Absent when neither the seed nor the start that made the principal had it. */
  clientSecret?: string;
  objectId: string;
  tokenEndpoint: string;
  vaultUrl: string;
  caFile: string | null;
}

/**
 * <data-dir>/seeded-principals.json, owner-only, by principal name: a generated secret exists
 * only in the answer to the start that made it (the server keeps its slow hash), so the file
 * keeps it across later starts, which rewrite the URLs (the port may differ) as
 * initial-admin.json's refresh does.
 */
export async function writeSeededPrincipalsFile(
  path: string,
  principals: SeededPrincipal[],
  common: Pick<SeededPrincipalCredentials, "tenantId" | "tokenEndpoint" | "vaultUrl" | "caFile">,
): Promise<void> {
  let existing: Record<string, SeededPrincipalCredentials> = {};
  try {
    existing = JSON.parse(await readFile(path, "utf8")) as Record<string, SeededPrincipalCredentials>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const content: Record<string, SeededPrincipalCredentials> = {};
  for (const principal of principals) {
    const before = existing[principal.displayName];
    const secret =
      principal.clientSecret ?? (before?.clientId === principal.clientId ? before.clientSecret : undefined);
    content[principal.displayName] = {
      tenantId: common.tenantId,
      clientId: principal.clientId,
      ...(secret !== undefined ? { clientSecret: secret } : {}),
      objectId: principal.objectId,
      tokenEndpoint: common.tokenEndpoint,
      vaultUrl: common.vaultUrl,
      caFile: common.caFile,
    };
  }
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}
