import { BackupKeyring } from "../backup/backup-format.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { KeysModule } from "../keys/keys-module.js";
import type { KeyRouteServices } from "../keys/key-route-support.js";
import { lateBound } from "./late-bound.js";

/**
 * What can only exist once the HSM has its domain key: the keys services (the single-key backup
 * key is derived from it) and the keyring full backups are sealed with. Built at activation,
 * from the key file at start or from a security domain download or upload later; handed to the
 * rest of the server as late-bound stand-ins so nothing else needs to know when that was.
 */
export class DomainServices {
  #keys: KeysModule | undefined;
  #keyring: BackupKeyring | undefined;

  constructor(private readonly createKeysModule: (domainKey: Buffer) => KeysModule) {}

  /** Builds the services and starts the keys maintenance timer. */
  activate(domainKey: Buffer): void {
    if (this.#keys) throw new Error("the domain services are already built");
    this.#keyring = new BackupKeyring(domainKey);
    this.#keys = this.createKeysModule(domainKey);
    this.#keys.start();
  }

  /** The keys module, once activated. */
  get keys(): KeysModule | undefined {
    return this.#keys;
  }

  /** For the keys routes, registered before activation. */
  keyRoutes(): KeyRouteServices {
    const routes = () => (this.#keys ?? notActivated()).routes;
    return {
      keys: lateBound(() => routes().keys),
      deletedKeys: lateBound(() => routes().deletedKeys),
      crypto: lateBound(() => routes().crypto),
      backups: lateBound(() => routes().backups),
      softDelete: lateBound(() => routes().softDelete),
      attestation: lateBound(() => routes().attestation),
    };
  }

  /** For the backup service, built before activation. */
  backupKeyring(): BackupKeyring {
    return lateBound(() => this.#keyring ?? notActivated());
  }

  async close(): Promise<void> {
    await this.#keys?.close();
  }
}

function notActivated(): never {
  throw KeyVaultErrors.hsmNotActivated();
}
