import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerProcess, startServerProcess } from "../../../../test/harness/server-process.js";
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type Azurite,
  startAzurite,
} from "../../../../test/harness/azurite.js";

/** A blob container for backups, with a SAS token for it. */
export interface Container {
  /** The container's URL: the `blobStorageUri` of a backup. */
  uri: string;
  /** A SAS token for it, without the leading "?". */
  sasToken: string;
  client: ReturnType<Azurite["service"]["getContainerClient"]>;
}

export interface BackupFixture {
  server: ServerProcess;
  azurite: Azurite;
  /** A new, empty container. */
  createContainer(): Promise<Container>;
  dispose(): Promise<void>;
}

/**
 * Azurite plus an mhsm server whose own storage identity (what `useManagedIdentity` means) is
 * Azurite's development account, as a Managed HSM's managed identity would be its storage role.
 */
export async function startBackupFixture(serverArgs: string[] = []): Promise<BackupFixture> {
  const azurite = await startAzurite();
  const configDir = await mkdtemp(join(tmpdir(), "mhsm-admin-config-"));
  const configFile = join(configDir, "config.json");
  await writeFile(
    configFile,
    // The storage key signs only for its account's endpoint: here, the emulator's.
    JSON.stringify({
      storageIdentity: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY },
      storageBlobEndpoint: azurite.accountUrl,
    }),
    { mode: 0o600 },
  );
  let server: ServerProcess;
  try {
    server = await startServerProcess({ args: ["--config", configFile, ...serverArgs] });
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  return {
    server,
    azurite,
    async createContainer() {
      const name = `backups-${randomUUID().slice(0, 8)}`;
      const uri = await azurite.createContainer(name);
      return { uri, sasToken: azurite.sas(name), client: azurite.service.getContainerClient(name) };
    },
    async dispose() {
      await server.dispose();
      await azurite.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
