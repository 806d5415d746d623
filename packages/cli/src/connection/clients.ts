import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import {
  KeyVaultAccessControlClient,
  KeyVaultBackupClient,
  KeyVaultSettingsClient,
} from "@mhsm/keyvault-admin";
import type { ConnectionFlags } from "./connection-flags.js";
import { HsmRestClient } from "./hsm-rest-client.js";
import { type HsmTarget, resolveHsmTarget } from "./hsm-target.js";

/** The clients of one HSM, all sharing one credential (one token) and one connection pool. */
export class HsmClients {
  private constructor(readonly target: HsmTarget) {}

  static async connect(flags: ConnectionFlags): Promise<HsmClients> {
    return new HsmClients(await resolveHsmTarget(flags));
  }

  get vaultUrl(): string {
    return this.target.vaultUrl;
  }

  accessControl(): KeyVaultAccessControlClient {
    return new KeyVaultAccessControlClient(this.vaultUrl, this.target.credential, this.target.clientOptions);
  }

  backup(): KeyVaultBackupClient {
    return new KeyVaultBackupClient(this.vaultUrl, this.target.credential, this.target.clientOptions);
  }

  settings(): KeyVaultSettingsClient {
    return new KeyVaultSettingsClient(this.vaultUrl, this.target.credential, this.target.clientOptions);
  }

  keys(): KeyClient {
    return new KeyClient(this.vaultUrl, this.target.credential, this.target.clientOptions);
  }

  /** Operations with one key; without a version, its latest. */
  cryptography(keyName: string, version?: string): CryptographyClient {
    const keyId = `${this.vaultUrl}/keys/${encodeURIComponent(keyName)}${version ? `/${encodeURIComponent(version)}` : ""}`;
    return new CryptographyClient(keyId, this.target.credential, this.target.clientOptions);
  }

  rest(): HsmRestClient {
    return new HsmRestClient(this.target);
  }
}
