import { loadOrCreateDomainKey, readDomainKeyFile } from "../../platform/barrier/domain-key-file.js";
import type { DomainKeyStorage } from "./hsm-activation.js";

/** --activation: "auto" makes a domain key on first start; "security-domain" waits for one. */
export type ActivationMode = "auto" | "security-domain";

/** Not a Key Vault answer: the domain key's file and storage mode disagree, found at start-up. */
export class DomainKeyStorageError extends Error {}

/**
 * The domain key a server starts with, if any:
 * - auto (the embedded default, a development convenience): the key file, made on first start;
 * - security-domain with file storage: the key file once a download or upload wrote it, else none;
 * - sealed storage: never one; the HSM waits for its security domain to be uploaded.
 */
export async function domainKeyAtStart(options: {
  activation: ActivationMode;
  storage: DomainKeyStorage;
  keyFile: string;
}): Promise<Buffer | undefined> {
  if (options.storage === "sealed") {
    if (await readDomainKeyFile(options.keyFile)) {
      throw new DomainKeyStorageError(
        `the domain key storage is sealed, but ${options.keyFile} exists. A sealed HSM keeps no key file: with its security domain downloaded, remove the file and upload the security domain after the start, or start with --domain-key-storage file.`,
      );
    }
    return undefined;
  }
  if (options.activation === "auto") return (await loadOrCreateDomainKey(options.keyFile)).key;
  return readDomainKeyFile(options.keyFile);
}
