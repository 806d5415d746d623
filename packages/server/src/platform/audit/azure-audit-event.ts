import { STATUS_CODES } from "node:http";
import type { AuditFormat, AuditRecord } from "./audit-log.js";

/**
 * Audit records in the shape of Azure Monitor's AuditEvent resource log, the one a Managed HSM's
 * diagnostic setting writes (category "AuditEvent"), so queries written for a Managed HSM's log
 * (KQL in Log Analytics, Sentinel rules, a SIEM's parser) read mhsm's the same way.
 *
 * Field by field, after Microsoft's documentation:
 * - the sample entry of Managed HSM logging (learn.microsoft.com/azure/key-vault/managed-hsm/logging):
 *   top-level httpStatusCode, requestUri, clientInfo, resource, resourceType "managedHSMs",
 *   resourceProvider "MICROSOFT.KEYVAULT", operationName "BackupCreate" for a full backup;
 * - Key Vault logging (learn.microsoft.com/azure/key-vault/general/logging): the common fields,
 *   identity.claim with the objectidentifier and appid claims, properties {clientInfo,
 *   requestUri, httpStatusCode}, resultSignature the HTTP status, and the operationName table
 *   (KeyCreate, KeySign, …);
 * - Monitor Azure Managed HSM's sample queries (…/managed-hsm/logging-azure-monitor): 401s are
 *   operation "Authentication"; ResultSignature holds the status' name ("OK", "Forbidden").
 * Operations the documentation names no value for keep mhsm's route operation name.
 */
export interface AzureAuditOptions {
  /** The ARM id the records name (resourceId); upper case, as Azure writes it. */
  resourceId: string;
  /** The HSM's name (resource). */
  hsmName: string;
  /** The URL clients use, for requestUri; known once the server listens. */
  vaultUrl: () => string | undefined;
}

/** Key operations' names in Azure's log, by mhsm's route operation (Key Vault logging's table). */
const OPERATION_NAMES: Record<string, string> = {
  CreateKey: "KeyCreate",
  ImportKey: "KeyImport",
  GetKey: "KeyGet",
  UpdateKey: "KeyUpdate",
  DeleteKey: "KeyDelete",
  GetKeys: "KeyList",
  GetKeyVersions: "KeyListVersions",
  Sign: "KeySign",
  Verify: "KeyVerify",
  Encrypt: "KeyEncrypt",
  Decrypt: "KeyDecrypt",
  WrapKey: "KeyWrap",
  UnwrapKey: "KeyUnwrap",
  BackupKey: "KeyBackup",
  RestoreKey: "KeyRestore",
  GetDeletedKey: "KeyGetDeleted",
  GetDeletedKeys: "KeyListDeleted",
  RecoverDeletedKey: "KeyRecover",
  PurgeDeletedKey: "KeyPurge",
  RotateKey: "KeyRotate",
  GetKeyRotationPolicy: "KeyRotationPolicyGet",
  UpdateKeyRotationPolicy: "KeyRotationPolicySet",
  FullBackup: "BackupCreate",
};

/** .NET's HttpStatusCode names where they differ from the HTTP reason phrase without spaces. */
const STATUS_NAMES: Record<number, string> = {
  413: "RequestEntityTooLarge",
  414: "RequestUriTooLong",
};

export function resultSignatureOf(status: number): string {
  return STATUS_NAMES[status] ?? (STATUS_CODES[status] ?? String(status)).replace(/[\s-]/g, "");
}

/** The default resourceId: a fixed subscription and resource group, the HSM's name. */
export function defaultAuditResourceId(hsmName: string): string {
  return `/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/MHSM/PROVIDERS/MICROSOFT.KEYVAULT/MANAGEDHSMS/${hsmName.toUpperCase()}`;
}

export function azureAuditFormat(options: AzureAuditOptions): AuditFormat {
  return (record: AuditRecord) => {
    const requestUri = requestUriOf(record, options.vaultUrl());
    const operationName =
      record.status === 401 ? "Authentication" : (OPERATION_NAMES[record.operation] ?? record.operation);
    return {
      time: record.time,
      resourceId: options.resourceId,
      operationName,
      operationVersion: record.apiVersion ?? "",
      category: "AuditEvent",
      resultType: record.result === "success" ? "Success" : "Failure",
      resultSignature: resultSignatureOf(record.status),
      resultDescription: record.errorCode ?? "",
      durationMs: Math.round(record.durationMs),
      callerIpAddress: record.callerIpAddress ?? "",
      correlationId: record.correlationId ?? "",
      identity: identityOf(record.caller),
      properties: {
        clientInfo: record.clientInfo ?? "",
        requestUri,
        httpStatusCode: record.status,
        requestId: record.requestId,
        ...(record.target !== undefined ? { scope: record.target } : {}),
      },
      httpStatusCode: record.status,
      requestUri,
      clientInfo: record.clientInfo ?? "",
      resource: options.hsmName,
      resourceType: "managedHSMs",
      resourceProvider: "MICROSOFT.KEYVAULT",
    };
  };
}

/** The path and the api-version asked for: never any other query parameter. */
function requestUriOf(record: AuditRecord, vaultUrl: string | undefined): string {
  const query = record.apiVersion ? `?api-version=${record.apiVersion}` : "";
  return `${vaultUrl ?? ""}${record.path}${query}`;
}

/**
 * The token's identity as Azure writes it: the object id under its claim URI (and as oid), the
 * application and tenant. Token requests to the embedded identity provider know only the client id.
 */
function identityOf(caller: AuditRecord["caller"]): { claim: Record<string, string> } | null {
  if (!caller) return null;
  const claim: Record<string, string> = {};
  if (caller.objectId) {
    claim["http://schemas.microsoft.com/identity/claims/objectidentifier"] = caller.objectId;
    claim.oid = caller.objectId;
  }
  const appId = caller.appId ?? caller.clientId;
  if (appId) claim.appid = appId;
  if (caller.tenantId) {
    claim["http://schemas.microsoft.com/identity/claims/tenantid"] = caller.tenantId;
    claim.tid = caller.tenantId;
  }
  return { claim };
}
