import { unlink } from "node:fs/promises";
import type { Barrier } from "../../platform/barrier/barrier.js";
import { writeDomainKeyFile } from "../../platform/barrier/domain-key-file.js";
import { HSM_NOT_ACTIVATED, KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { Store } from "../../platform/store/store.js";
import { domainKeyIdOf } from "./security-domain-format.js";

/** Where the domain key lives between restarts (--domain-key-storage). */
export type DomainKeyStorage = "file" | "sealed";

/** How the domain key arrived: its file at start, or a security domain download or upload. */
export type ActivationSource = "start" | "download" | "upload";

/** The one security domain of this HSM: handed out by a download or brought in by an upload. */
export interface Establishment {
  how: "download" | "upload";
  at: string;
}

/** Not secret: names the domain key the HSM's contents are sealed under (as backups do). */
const DOMAIN_KEY_ID_META = "securityDomain.domainKeyId";
const ESTABLISHED_META = "securityDomain.establishedBy";

/**
 * The HSM's activation: whether it has its domain key, and the one way it gets it. Activation
 * records which domain the contents are sealed under (so a sealed HSM refuses another domain's
 * upload), writes the key file when the storage is "file", gives the domain barrier its key and
 * builds the domain services. Before that, the activation gate answers "HSM not activated".
 */
export class HsmActivation {
  #domainKey: Buffer | undefined;
  #recordedDomainKeyId: string | undefined;

  constructor(
    private readonly options: {
      store: Store;
      barrier: Barrier;
      storage: DomainKeyStorage;
      keyFile: string;
      onActivated: (domainKey: Buffer) => void | Promise<void>;
      log: (message: string) => void;
    },
  ) {}

  /** Reads what the store remembers of the domain; once, at start. */
  async load(): Promise<void> {
    this.#recordedDomainKeyId = await this.options.store.meta.get(DOMAIN_KEY_ID_META);
  }

  get activated(): boolean {
    return this.#domainKey !== undefined;
  }

  get storage(): DomainKeyStorage {
    return this.options.storage;
  }

  /** True when the HSM has contents sealed under a domain key it does not hold now. */
  get sealed(): boolean {
    return !this.activated && this.#recordedDomainKeyId !== undefined;
  }

  /** What every data-plane call is told before activation. */
  get notActivatedMessage(): string {
    if (!this.sealed) return HSM_NOT_ACTIVATED;
    return "This HSM is sealed: its domain key is kept only in its security domain, not on this server. An administrator must upload the security domain (mhsm security-domain upload) to unseal it.";
  }

  async established(): Promise<Establishment | undefined> {
    const value = await this.options.store.meta.get(ESTABLISHED_META);
    return value ? (JSON.parse(value) as Establishment) : undefined;
  }

  /** Refuses a domain key other than the one this HSM's contents are sealed under. */
  checkDomain(domainKeyId: string): void {
    if (this.#recordedDomainKeyId !== undefined && this.#recordedDomainKeyId !== domainKeyId) {
      throw KeyVaultErrors.securityDomainMismatch(this.#recordedDomainKeyId, domainKeyId);
    }
  }

  /** Runs `use` with the domain key (to hand it out in a security domain); only when activated. */
  async withDomainKey<T>(use: (domainKey: Buffer) => Promise<T>): Promise<T> {
    if (!this.#domainKey) throw KeyVaultErrors.hsmNotActivated(this.notActivatedMessage);
    return use(this.#domainKey);
  }

  /**
   * Records the security domain as handed out or brought in. A download happens once per HSM
   * (false when one already did); an upload keeps the first record.
   */
  async establish(how: Establishment["how"], store: Store = this.options.store): Promise<boolean> {
    const record = JSON.stringify({ how, at: new Date().toISOString() } satisfies Establishment);
    const stored = await store.meta.getOrInsert(ESTABLISHED_META, record);
    return how === "upload" || stored === record;
  }

  async activate(domainKey: Buffer, source: ActivationSource): Promise<void> {
    if (this.#domainKey) throw KeyVaultErrors.hsmAlreadyActivated();
    const domainKeyId = domainKeyIdOf(domainKey);
    this.checkDomain(domainKeyId);
    const { store, storage, keyFile } = this.options;
    // At start the key came from its file; otherwise the file is written now (storage "file")
    // or never (storage "sealed": the key lives in memory only, until the process ends).
    const writeFile = source !== "start" && storage === "file";
    if (writeFile) await writeDomainKeyFile(keyFile, domainKey);
    try {
      await store.transaction(async (tx) => {
        const recorded = await tx.meta.getOrInsert(DOMAIN_KEY_ID_META, domainKeyId);
        if (recorded !== domainKeyId) {
          this.#recordedDomainKeyId = recorded;
          this.checkDomain(domainKeyId);
        }
        if (source !== "start" && !(await this.establish(source, tx))) {
          throw KeyVaultErrors.securityDomainAlreadyDownloaded();
        }
      });
    } catch (error) {
      if (writeFile) await unlink(keyFile).catch(() => undefined);
      throw error;
    }
    this.#recordedDomainKeyId = domainKeyId;
    // The services first: if building them fails, nothing in memory says "activated".
    await this.options.onActivated(domainKey);
    this.options.barrier.provideKey(domainKey);
    this.#domainKey = Buffer.from(domainKey);
    if (source !== "start") {
      this.options.log(`mhsm: HSM activated by a security domain ${source} (domain key ${domainKeyId})`);
    }
  }
}
