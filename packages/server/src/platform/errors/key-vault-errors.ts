import { DomainError } from "./domain-error.js";

/**
 * The catalog of Key Vault errors: every error code this server answers with and the HTTP status
 * it is sent with, in one list (KEY_VAULT_ERROR_CATALOG); and the errors domain code throws,
 * each built by a named factory with the message clients see (KeyVaultErrors).
 *
 * Services and platform code throw `KeyVaultErrors.<name>(...)`; they never spell a code or a
 * status. The http layer (platform/http/key-vault-error.ts, called by the error handler in
 * platform/http/app.ts) looks the code's status up here and writes the Key Vault error body.
 */
export const KEY_VAULT_ERROR_CATALOG = [
  // 400: the request is not valid.
  { code: "BadParameter", status: 400, means: "A parameter, query or body member is not valid." },
  { code: "BadRequest", status: 400, means: "The request is not valid (a malformed SAS token, bad HTTP)." },
  { code: "RoleDefinitionDoesNotExist", status: 400, means: "A role assignment names an unknown role." },
  { code: "RoleDefinitionLimitExceeded", status: 400, means: "The HSM holds its most custom roles." },
  { code: "RoleAssignmentLimitExceeded", status: 400, means: "A scope holds its most role assignments." },
  { code: "InvalidSecurityDomain", status: 400, means: "An uploaded security domain cannot be opened." },
  { code: "TransferKeyNotIssued", status: 400, means: "A security domain upload without a transfer key." },
  { code: "SecurityDomainMismatch", status: 400, means: "The security domain is another HSM's." },
  // 401, 403: who the caller is, and what it may do.
  { code: "Unauthorized", status: 401, means: "No valid bearer token." },
  { code: "Forbidden", status: 403, means: "Not allowed: by a key's state or purge protection." },
  // 404: nothing there.
  { code: "NotFound", status: 404, means: "No route has this path." },
  { code: "KeyNotFound", status: 404, means: "No such key (or key version, or deleted key)." },
  { code: "PrincipalNotFound", status: 404, means: "No such principal of the embedded identity provider." },
  { code: "SettingNotFound", status: 404, means: "No such HSM setting." },
  { code: "RoleDefinitionNotFound", status: 404, means: "No such role definition." },
  { code: "RoleAssignmentNotFound", status: 404, means: "No such role assignment at this scope." },
  { code: "JobNotFound", status: 404, means: "No such backup or restore job." },
  { code: "SecurityDomainOperationNotFound", status: 404, means: "No security domain operation started." },
  // 405-431: the HTTP request itself, as the framework or node's parser reports it.
  { code: "MethodNotAllowed", status: 405, means: "The method is not supported (on this path)." },
  { code: "RequestTimeout", status: 408, means: "The request did not arrive in time." },
  { code: "LengthRequired", status: 411, means: "The request needs a Content-Length." },
  { code: "RequestTooLarge", status: 413, means: "The request body (or its chunk extensions) is too large." },
  { code: "RequestUriTooLong", status: 414, means: "The request URL is too long." },
  { code: "UnsupportedMediaType", status: 415, means: "The body is not of a type the route takes." },
  { code: "ExpectationFailed", status: 417, means: "An Expect header other than 100-continue." },
  { code: "RequestHeaderFieldsTooLarge", status: 431, means: "The request line and headers are too large." },
  // 409: the HSM's state does not allow it.
  {
    code: "AccessDenied",
    status: 403,
    means: "The caller's roles do not grant the data action at the scope.",
  },
  { code: "Conflict", status: 409, means: "A name is taken, or a backup or restore is already running." },
  { code: "RoleAssignmentExists", status: 409, means: "The role assignment (or its grant) exists." },
  { code: "HsmAlreadyActivated", status: 409, means: "A security domain upload to an activated HSM." },
  { code: "SecurityDomainAlreadyDownloaded", status: 409, means: "The security domain was handed out." },
  { code: "SecurityDomainOperationInProgress", status: 409, means: "A security domain operation runs." },
  // 5xx: the server cannot answer now, or at all.
  { code: "InternalServerError", status: 500, means: "Unexpected; the server log has the details." },
  { code: "NotImplemented", status: 501, means: "A Key Vault feature this HSM does not have." },
  { code: "HsmNotActivated", status: 503, means: "The HSM waits for its security domain." },
  { code: "RestoreInProgress", status: 503, means: "A full restore runs; requests wait for it." },
  { code: "AuditLogUnavailable", status: 503, means: "The audit log cannot be written (fails closed)." },
  { code: "InsufficientStorage", status: 507, means: "The database's disk is full or failed the write." },
  { code: "HsmDeviceUnavailable", status: 503, means: "The PKCS#11 token does not answer; retry later." },
] as const satisfies readonly { code: string; status: number; means: string }[];

export type KeyVaultErrorCode = (typeof KEY_VAULT_ERROR_CATALOG)[number]["code"];

/** The more specific codes a 403 carries in `innererror`. */
export type ForbiddenReason =
  "KeyOperationNotAllowed" | "KeyDisabled" | "KeyNotYetValid" | "KeyExpired" | "PurgeProtectionEnabled";

const STATUS_OF_CODE: ReadonlyMap<string, number> = new Map(
  KEY_VAULT_ERROR_CATALOG.map((entry) => [entry.code, entry.status]),
);

/** The HTTP status a Key Vault error code is answered with. */
export function statusOf(code: KeyVaultErrorCode): number {
  return STATUS_OF_CODE.get(code) as number;
}

export const HSM_NOT_ACTIVATED =
  "This HSM is not activated: an administrator must download its security domain (mhsm security-domain download) or upload an existing one (mhsm security-domain upload) first.";

const error = (code: KeyVaultErrorCode, message: string, innerCode?: ForbiddenReason) =>
  new DomainError(code, message, innerCode);

/** The errors domain code throws, by name; each builds its code's message. */
export const KeyVaultErrors = {
  // Requests: the message says what is wrong with the parameter or body member.
  badParameter: (message: string) => error("BadParameter", message),
  badRequest: (message: string) => error("BadRequest", message),
  /**
   * A SAS token that is not one (backup, restore, selective restore). `missing` says what it
   * lacks, in the service's sentence. Evidence: Azure/azure-sdk-for-js sdk/keyvault/keyvault-admin
   * recordings (PUT /restore with token "bad_token" and folderToRestore "uri", 2022-11-09, and
   * GET /restore/<id>/pending, 2021-06-01): 400 {"code":"BadRequest","message":"The customer
   * provided SAS token is malformed. The SAS token does not contain the expiry field"}. The
   * other fields' sentences follow the expiry field's.
   */
  sasTokenMalformed: (missing: "expiry" | "signature" | "version" | "query" | "expiry date") =>
    error(
      "BadRequest",
      `The customer provided SAS token is malformed. ${
        missing === "query"
          ? "The SAS token is not a URL query string"
          : missing === "expiry date"
            ? "The SAS token's expiry field is not a date"
            : `The SAS token does not contain the ${missing} field`
      }`,
    ),

  // Authentication and authorization.
  unauthorized: () => error("Unauthorized", "Authentication is required."),
  /**
   * The service's code and words when the caller's roles do not grant the action: 403
   * {"code":"AccessDenied","message":"Not authorized to access <data action> on <scope> (Activity
   * ID: …)"}. Evidence: Azure/azure-cli issue #32719 (2026, a Managed HSM answering a role
   * assignment read: "(AccessDenied) Not authorized to access
   * Microsoft.KeyVault/managedHsm/roleAssignments/read/action on / (Activity ID: <guid>)", "Code:
   * AccessDenied") and Microsoft's disk-encryption sample for Managed HSM quoting "(AccessDenied)
   * Not authorized to access Microsoft.KeyVault/managedHsm/keys/create on '/keys'". The caller is
   * not named in the answer (the audit record has it).
   */
  accessDenied: (dataAction: string, scope: string) =>
    error("AccessDenied", `Not authorized to access ${dataAction} on ${scope}`),

  // Keys, worded as Key Vault words them.
  /**
   * A vault's sentence with "HSM" for "key vault": the SDK recordings in reach that show a 404
   * KeyNotFound are a vault's ("A key with (name/id) … was not found in this key vault. If you
   * recently deleted …"); a Managed HSM's own text for it is not in evidence, so it is unchanged.
   */
  keyNotFound: (name: string, version?: string) =>
    error(
      "KeyNotFound",
      `A key with (name/id) ${name}${version ? `/${version}` : ""} was not found in this HSM. If you recently deleted this key you may be able to recover it using the correct recovery command.`,
    ),
  deletedKeyNotFound: (name: string) =>
    error("KeyNotFound", `Deleted key not found: no soft-deleted key is named ${name}.`),
  keyNameHeldByDeletedKey: (name: string) =>
    error(
      "Conflict",
      `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
    ),
  /**
   * A single-key backup blob (POST /keys/restore) that is not one this server writes: too short,
   * another format, or content that is not a key backup. The service's words: Azure/azure-sdk-for-js
   * sdk/keyvault/keyvault-keys test "fails to restore a key with a malformed backup"
   * (restoreKeyBackup of a zero-filled blob) asserts the message equals "Backup blob contains
   * invalid or corrupt version." (BadParameter).
   */
  keyBackupBlobMalformed: () => error("BadParameter", "Backup blob contains invalid or corrupt version."),
  /**
   * A single-key backup blob in this server's format whose seal does not open: it was changed, or
   * another security domain sealed it. mhsm's own words (the service's for this case are not in
   * evidence); kept distinct from the malformed blob so an operator can tell the two apart.
   */
  keyBackupBlobForeign: () =>
    error(
      "BadParameter",
      "Backup blob cannot be opened by this HSM: it was changed, or it was made by an HSM with another security domain.",
    ),
  /** Restoring a key backup (POST /keys/restore) onto a name a live key has. */
  keyRestoreNameTaken: (name: string) =>
    error("Conflict", `Key ${name} already exists; a backup is restored only under a free name.`),
  /** The key exists but its state forbids the operation (disabled, not yet valid, expired, key_ops). */
  keyUseForbidden: (reason: Exclude<ForbiddenReason, "PurgeProtectionEnabled">, message: string) =>
    error("Forbidden", message, reason),
  purgeProtected: (scheduledPurgeAt: number) =>
    error(
      "Forbidden",
      `Operation "purge" is not allowed because purge protection is enabled on this HSM. The key is purged automatically at its scheduled purge date (${new Date(scheduledPurgeAt).toISOString()}).`,
      "PurgeProtectionEnabled",
    ),
  byokImportUnavailable: () =>
    error(
      "NotImplemented",
      "Bring-your-own-key import (key_hsm) needs a vendor key-exchange key, which this HSM does not have; import the key as a plain JWK instead.",
    ),

  // Role definitions and assignments.
  /**
   * The service's words. Evidence: Azure/azure-sdk-for-js sdk/keyvault/keyvault-admin recording
   * keyvaultaccesscontrolclient_role_definitions/recording_supports_tracing.js (GET of a role
   * definition by a name that is no GUID: 404 {"code":"RoleDefinitionNotFound","message":
   * "Requested role definition not found (Activity ID: …)"}).
   */
  roleDefinitionNotFound: (_name: string) =>
    error("RoleDefinitionNotFound", "Requested role definition not found"),
  roleDefinitionDoesNotExist: (roleDefinitionId: string) =>
    error("RoleDefinitionDoesNotExist", `The role definition '${roleDefinitionId}' does not exist.`),
  roleDefinitionLimitExceeded: (count: number, limit: number) =>
    error(
      "RoleDefinitionLimitExceeded",
      `The HSM already has ${count} custom role definitions, the most it allows (${limit}). Delete one before creating another.`,
    ),
  /**
   * The service's words, without the name. Evidence: Azure/azure-sdk-for-js
   * sdk/keyvault/keyvault-admin recordings (keyvaultaccesscontrolclient_role_assignments, GET of a
   * deleted assignment: 404 {"code":"RoleAssignmentNotFound","message":"Requested role assignment
   * not found (Activity ID: …)"}), the SDK's test asserting /Requested role assignment not found/,
   * and Azure.Security.KeyVault.Administration's README troubleshooting sample.
   */
  roleAssignmentNotFound: (_name: string) =>
    error("RoleAssignmentNotFound", "Requested role assignment not found"),
  roleAssignmentExists: (name: string) =>
    error("RoleAssignmentExists", `A role assignment named '${name}' already exists.`),
  /** Another assignment already grants the same role to the same principal at the same scope. */
  roleAssignmentGrantExists: (principalId: string, roleName: string, scope: string, existing: string) =>
    error(
      "RoleAssignmentExists",
      `The role assignment already exists: principal '${principalId}' has role '${roleName}' at scope '${scope}' (assignment '${existing}').`,
    ),
  /** Same as above, but the assignment in the way was orphaned by its definition's deletion. */
  roleAssignmentOrphanExists: (principalId: string, scope: string, existing: string) =>
    error(
      "RoleAssignmentExists",
      `The role assignment already exists: principal '${principalId}' holds assignment '${existing}' of this role definition's GUID at scope '${scope}', made for a definition that was since deleted; it grants nothing. Delete it, then assign the role again.`,
    ),
  /** `where` names the scope counted, e.g. "key scope '/keys/k1'". */
  roleAssignmentLimitExceeded: (count: number, where: string, limit: number) =>
    error(
      "RoleAssignmentLimitExceeded",
      `There are already ${count} role assignments at ${where}, the most allowed (${limit}).`,
    ),

  // Principals and settings.
  principalNotFound: (objectId: string) =>
    error("PrincipalNotFound", `Principal '${objectId}' was not found.`),
  settingNotFound: (name: string, known: readonly string[]) =>
    error(
      "SettingNotFound",
      `Setting '${name.slice(0, 100)}' does not exist. Settings of this HSM: ${known.join(", ")}.`,
    ),

  // Backup and restore jobs.
  /** `what` names the running job, e.g. "a backup job (<id>)". */
  jobAlreadyRunning: (what: string) =>
    error("Conflict", `The HSM is already running ${what}. Only one backup or restore can run at a time.`),
  jobNotFound: (family: string, jobId: string) =>
    error("JobNotFound", `There is no ${family} job '${jobId.slice(0, 64)}'.`),

  // Activation and the security domain.
  hsmNotActivated: (message: string = HSM_NOT_ACTIVATED) => error("HsmNotActivated", message),
  hsmAlreadyActivated: () =>
    error(
      "HsmAlreadyActivated",
      "This HSM is already activated. A security domain can be uploaded only to an HSM that is not activated: a new one started with --activation security-domain, or one whose domain key is sealed.",
    ),
  /** A download asked of an HSM whose contents are sealed under a security domain it lacks. */
  securityDomainSealed: () =>
    error(
      "SecurityDomainAlreadyDownloaded",
      "This HSM's contents are sealed under an existing security domain: upload it instead.",
    ),
  /** The store's record says the security domain was handed out (download) or brought in (upload). */
  securityDomainEstablished: (how: "download" | "upload", at?: string) =>
    error(
      "SecurityDomainAlreadyDownloaded",
      how === "download"
        ? `This HSM's security domain was downloaded${at ? ` at ${at}` : ""}; it can be downloaded only once.`
        : `This HSM's security domain was uploaded${at ? ` at ${at}` : ""}; it is not downloaded again.`,
    ),
  /** Another node downloaded the security domain while this one was activating with a download. */
  securityDomainAlreadyDownloaded: () =>
    error(
      "SecurityDomainAlreadyDownloaded",
      "This HSM's security domain was downloaded already; it can be downloaded only once.",
    ),
  securityDomainOperationNotFound: (operation: string) =>
    error("SecurityDomainOperationNotFound", `No security domain ${operation} was started on this HSM.`),
  securityDomainOperationInProgress: (operation: string) =>
    error(
      "SecurityDomainOperationInProgress",
      `A security domain ${operation} is in progress on this HSM; wait for it to finish.`,
    ),
  securityDomainMismatch: (recordedDomainKeyId: string, givenDomainKeyId: string) =>
    error(
      "SecurityDomainMismatch",
      `This HSM's contents are sealed under the domain key ${recordedDomainKeyId}; the security domain holds ${givenDomainKeyId}. Upload this HSM's own security domain.`,
    ),
  /** `message` says what is wrong with the uploaded security domain. */
  invalidSecurityDomain: (message: string) => error("InvalidSecurityDomain", message),
  transferKeyNotIssued: () =>
    error(
      "TransferKeyNotIssued",
      "This HSM has issued no transfer key since it started: get it (GET /securitydomain/upload) and prepare the upload for it.",
    ),

  // Storage.
  /** `reason` says what the disk did ("its disk is full"); `disk` whose disk to free. */
  databaseCannotStore: (reason: string, disk: string) =>
    error(
      "InsufficientStorage",
      `The HSM's database cannot store changes: ${reason}. Nothing was changed; free space on ${disk} and retry.`,
    ),

  // The http layer's own answers (platform/http).
  requestTooLarge: (bodyLimitBytes: number) =>
    error("RequestTooLarge", `The request body is larger than ${bodyLimitBytes} bytes.`),
  unsupportedMediaType: () => error("UnsupportedMediaType", "The request body must be application/json."),
  internalServerError: () => error("InternalServerError", "The server could not process the request."),

  /**
   * An operation asked for at an api-version older than the one that brought it: the path is not
   * in that version's contract, so it is answered as a path this HSM does not have (404
   * NotFound), saying which versions have it. (The service's answer for this case is not in
   * evidence; docs/key-attestation.md.)
   */
  operationNotInApiVersion: (operation: string, apiVersion: string, since: string) =>
    error(
      "NotFound",
      `The requested path does not exist on this HSM at api-version ${apiVersion.slice(0, 40)}: ${operation} needs api-version ${since} or later.`,
    ),
  // Secure key release.
  /** A release the HSM refuses: the token's authority or claims do not satisfy the key's policy. */
  releaseRefused: (message: string) => error("Forbidden", message),
  // The PKCS#11 backend (platform/pkcs11).
  /** `what` names the failure (the PKCS#11 return value), never data. */
  hsmDeviceUnavailable: (what: string) =>
    error(
      "HsmDeviceUnavailable",
      `The HSM's PKCS#11 token is not available (${what}). Nothing was changed; retry when it is back.`,
    ),
  /** Secure key release on the PKCS#11 backend, which mhsm cannot do yet (docs/pkcs11.md). */
  exportableKeysUnavailableOnToken: () =>
    error(
      "BadParameter",
      "Exportable keys (secure key release) are not available on this HSM's PKCS#11 backend: its keys never leave the token, and releasing one to an attested environment inside the token is not supported yet. No key material was released.",
    ),
  /** A mechanism the token lacks: the algorithm is valid in Key Vault but not on this HSM's device. */
  algorithmNotSupportedByToken: (algorithm: string, mechanism: string) =>
    error(
      "BadParameter",
      `Algorithm '${algorithm}' is not supported by this HSM's PKCS#11 token: it lacks ${mechanism}.`,
    ),
} as const;
