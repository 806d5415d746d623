import { randomBytes } from "node:crypto";
import { DomainError } from "../../platform/errors/domain-error.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { parseDownloadRequest } from "./download-request.js";
import type { HsmActivation } from "./hsm-activation.js";
import { createSecurityDomainFile } from "./security-domain-file.js";
import { type SecurityDomainFile, SecurityDomainFormatError } from "./security-domain-format.js";
import { TransferKey } from "./transfer-key.js";
import { openUploadBlob } from "./upload-blob.js";

/** SecurityDomainOperationStatus: its own status enum, not the backup jobs' one. */
export interface SecurityDomainStatus {
  status: "Success" | "InProgress" | "Failed";
  status_details: string | null;
}

type Operation = "download" | "upload";

/**
 * Download, transfer key and upload. The security domain is made (download) or opened (upload)
 * in the request, so every bad input is a 400 that changes nothing; then the answer is 202 and
 * the activation (key file, records, barrier, services) runs, reported by the pending
 * endpoints. Operation status lives in memory: shares and keys never reach the store, and
 * after a restart the store's record of the security domain answers for it.
 */
export class SecurityDomainService {
  readonly #status: Partial<Record<Operation, SecurityDomainStatus>> = {};
  /** The operation reported last: what upload/pending answers for after a download. */
  #latest: Operation | undefined;
  #busy: Operation | undefined;
  #transferKey: Promise<TransferKey> | undefined;

  constructor(
    private readonly activation: HsmActivation,
    private readonly options: { hsmName: string; log: (message: string) => void },
  ) {}

  /** POST /securitydomain/download: the security domain, for the caller to keep. */
  async download(body: unknown): Promise<SecurityDomainFile> {
    const { wrappingKeys, required } = parseDownloadRequest(body);
    this.#claim("download");
    let handedOff = false;
    try {
      const established = await this.activation.established();
      if (established) throw KeyVaultErrors.securityDomainEstablished(established.how, established.at);
      const make = (domainKey: Buffer) => createSecurityDomainFile({ domainKey, wrappingKeys, required });
      if (this.activation.activated) {
        // Activated at start from a key file, with no security domain yet (--activation auto):
        // hand out the domain key it already has, once.
        const file = await this.activation.withDomainKey(make);
        // Another node may have handed it out a moment ago: the store's record decides.
        if (!(await this.activation.establish("download")))
          throw KeyVaultErrors.securityDomainEstablished("download");
        this.#report("download", {
          status: "Success",
          status_details: "The security domain of this (already activated) HSM was downloaded.",
        });
        return file;
      }
      if (this.activation.sealed) {
        throw KeyVaultErrors.securityDomainSealed();
      }
      const domainKey = randomBytes(32);
      let file: SecurityDomainFile;
      try {
        file = await make(domainKey);
      } catch (error) {
        domainKey.fill(0);
        throw error;
      }
      this.#report("download", {
        status: "InProgress",
        status_details: "Activating the HSM with its new security domain.",
      });
      handedOff = true;
      void this.#activate("download", domainKey, "The security domain was downloaded; the HSM is activated.");
      return file;
    } finally {
      if (!handedOff) this.#busy = undefined;
    }
  }

  /**
   * GET /securitydomain/upload: the key an upload must be encrypted to. `transfer_key` is the JWK
   * as a JSON *string*, as Azure answers: the Azure CLI reads it with
   * `json.loads(json.loads(body)["transfer_key"])`, and the Python security domain SDK's own test
   * with `json.loads(str(get_transfer_key().transfer_key))`; both fail on an object.
   */
  async transferKey(): Promise<{ key_format: "jwk"; transfer_key: string }> {
    if (this.activation.activated) throw KeyVaultErrors.hsmAlreadyActivated();
    this.#transferKey ??= TransferKey.create(this.options.hsmName).catch((error: unknown) => {
      this.#transferKey = undefined;
      throw error;
    });
    return { key_format: "jwk", transfer_key: JSON.stringify((await this.#transferKey).jwk) };
  }

  /** POST /securitydomain/upload: activates the HSM with the security domain in `value`. */
  async upload(body: unknown): Promise<SecurityDomainStatus> {
    const value = (body as { value?: unknown } | undefined)?.value;
    if (typeof value !== "string" || value === "") {
      throw KeyVaultErrors.badParameter(
        "'value' is required: the security domain prepared for this HSM's transfer key.",
      );
    }
    if (this.activation.activated) throw KeyVaultErrors.hsmAlreadyActivated();
    this.#claim("upload");
    let domainKey: Buffer;
    try {
      const transferKey = this.#transferKey && (await this.#transferKey);
      if (!transferKey) {
        throw KeyVaultErrors.transferKeyNotIssued();
      }
      let domainKeyId: string;
      try {
        ({ domainKey, domainKeyId } = await openUploadBlob(value, transferKey));
      } catch (error) {
        if (error instanceof SecurityDomainFormatError)
          throw KeyVaultErrors.invalidSecurityDomain(error.message);
        throw error;
      }
      try {
        this.activation.checkDomain(domainKeyId);
      } catch (error) {
        domainKey.fill(0);
        throw error;
      }
    } catch (error) {
      this.#busy = undefined;
      if (error instanceof DomainError)
        this.#report("upload", { status: "Failed", status_details: error.message });
      throw error;
    }
    const status: SecurityDomainStatus = {
      status: "InProgress",
      status_details: "Activating the HSM with the uploaded security domain.",
    };
    this.#report("upload", status);
    void this.#activate("upload", domainKey, "The security domain was uploaded; the HSM is activated.");
    return status;
  }

  /**
   * The pending endpoints. After a download, upload/pending answers for that download: the Azure
   * CLI's `security-domain download` polls /securitydomain/upload/pending (its client builds
   * download_pending with the upload URL) and writes the file only once that says Success, so the
   * service must answer it after a download.
   */
  async status(operation: Operation): Promise<SecurityDomainStatus> {
    const reported = operation === "upload" && this.#latest === "download" ? "download" : operation;
    const known = this.#status[reported];
    if (known) return known;
    // After a restart: what the store remembers of the security domain.
    const established = await this.activation.established();
    if (established && (established.how === operation || operation === "upload")) {
      const how = established.how;
      return {
        status: "Success",
        status_details: `The security domain was ${how === "download" ? "downloaded" : "uploaded"} at ${established.at}.`,
      };
    }
    throw KeyVaultErrors.securityDomainOperationNotFound(operation);
  }

  #report(operation: Operation, status: SecurityDomainStatus): void {
    this.#status[operation] = status;
    this.#latest = operation;
  }

  #claim(operation: Operation): void {
    if (this.#busy) {
      throw KeyVaultErrors.securityDomainOperationInProgress(this.#busy);
    }
    this.#busy = operation;
  }

  async #activate(operation: Operation, domainKey: Buffer, done: string): Promise<void> {
    try {
      await this.activation.activate(domainKey, operation);
      this.#report(operation, { status: "Success", status_details: done });
      this.#transferKey = undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#report(operation, {
        status: "Failed",
        status_details: `The HSM could not be activated: ${reason} It is still not activated.`,
      });
      this.options.log(`mhsm: security domain ${operation} failed to activate the HSM: ${reason}`);
    } finally {
      domainKey.fill(0);
      this.#busy = undefined;
    }
  }
}
