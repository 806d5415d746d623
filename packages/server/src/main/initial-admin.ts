import { readFile, writeFile } from "node:fs/promises";

/** <data-dir>/initial-admin.json: the credentials of the first administrator, owner-only. */
export interface InitialAdminFile {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
  tokenEndpoint: string;
  vaultUrl: string;
  caFile: string | null;
}

export async function writeInitialAdminFile(path: string, content: InitialAdminFile): Promise<void> {
  const ordered: InitialAdminFile = {
    tenantId: content.tenantId,
    clientId: content.clientId,
    clientSecret: content.clientSecret,
    objectId: content.objectId,
    tokenEndpoint: content.tokenEndpoint,
    vaultUrl: content.vaultUrl,
    caFile: content.caFile,
  };
  await writeFile(path, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o600 });
}

/**
 * On a later start the port or public URL may differ: rewrite the URLs and keep the secret
 * (the server kept only its hash, so the file is the one place it still is).
 */
export async function refreshInitialAdminFile(
  path: string,
  urls: Pick<InitialAdminFile, "tokenEndpoint" | "vaultUrl" | "caFile">,
): Promise<boolean> {
  let existing: InitialAdminFile;
  try {
    existing = JSON.parse(await readFile(path, "utf8")) as InitialAdminFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  await writeInitialAdminFile(path, { ...existing, ...urls });
  return true;
}
