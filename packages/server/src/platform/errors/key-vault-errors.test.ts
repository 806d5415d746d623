import assert from "node:assert/strict";
import { STATUS_CODES } from "node:http";
import { describe, it } from "node:test";
import { DomainError } from "./domain-error.js";
import { KEY_VAULT_ERROR_CATALOG, KeyVaultErrors, statusOf } from "./key-vault-errors.js";

type Factory = keyof typeof KeyVaultErrors;

/** Arguments for each factory: the type makes a new factory add its line here. */
const EXAMPLE_ARGUMENTS: { [Name in Factory]: Parameters<(typeof KeyVaultErrors)[Name]> } = {
  badParameter: ["m"],
  badRequest: ["m"],
  sasTokenMalformed: ["expiry"],
  unauthorized: [],
  accessDenied: ["Microsoft.KeyVault/managedHsm/keys/read/action", "/keys"],
  keyNotFound: ["k1"],
  deletedKeyNotFound: ["k1"],
  keyNameHeldByDeletedKey: ["k1"],
  keyBackupBlobMalformed: [],
  keyBackupBlobForeign: [],
  keyRestoreNameTaken: ["k1"],
  keyUseForbidden: ["KeyDisabled", "m"],
  purgeProtected: [0],
  byokImportUnavailable: [],
  roleDefinitionNotFound: ["r"],
  roleDefinitionDoesNotExist: ["r"],
  roleDefinitionLimitExceeded: [2, 2],
  roleAssignmentNotFound: ["a"],
  roleAssignmentExists: ["a"],
  roleAssignmentGrantExists: ["p", "r", "/", "a"],
  roleAssignmentOrphanExists: ["p", "/", "a"],
  roleAssignmentLimitExceeded: [2, "key scope '/keys/k1'", 2],
  principalNotFound: ["p"],
  settingNotFound: ["s", ["AllowKeyManagementOperationsThroughARM"]],
  jobAlreadyRunning: ["another backup or restore"],
  jobNotFound: ["backup", "j"],
  hsmNotActivated: [],
  hsmAlreadyActivated: [],
  securityDomainSealed: [],
  securityDomainEstablished: ["upload", "2024-01-01T00:00:00.000Z"],
  securityDomainAlreadyDownloaded: [],
  securityDomainOperationNotFound: ["download"],
  securityDomainOperationInProgress: ["upload"],
  securityDomainMismatch: ["a", "b"],
  invalidSecurityDomain: ["m"],
  transferKeyNotIssued: [],
  databaseCannotStore: ["its disk is full", "the database's disk"],
  requestTooLarge: [1024],
  unsupportedMediaType: [],
  internalServerError: [],
  operationNotInApiVersion: ["GetKeyAttestation", "7.5", "7.6"],
  releaseRefused: ["The key cannot be released."],
  hsmDeviceUnavailable: ["CKR_DEVICE_REMOVED"],
  exportableKeysUnavailableOnToken: [],
  algorithmNotSupportedByToken: ["ES256K", "CKM_EC_KEY_PAIR_GEN for secp256k1"],
};

describe("the Key Vault error catalog", () => {
  it("gives every entry a code and an HTTP error status", () => {
    assert.ok(KEY_VAULT_ERROR_CATALOG.length > 0);
    for (const entry of KEY_VAULT_ERROR_CATALOG) {
      assert.match(entry.code, /^[A-Z][A-Za-z]+$/, `code ${JSON.stringify(entry.code)}`);
      assert.ok(Number.isInteger(entry.status), `${entry.code}: status ${entry.status}`);
      assert.ok(entry.status >= 400 && entry.status <= 599, `${entry.code}: status ${entry.status}`);
      assert.ok(STATUS_CODES[entry.status], `${entry.code}: ${entry.status} is not an HTTP status`);
      assert.ok(entry.means.length > 0, `${entry.code}: says what it means`);
      assert.equal(statusOf(entry.code), entry.status);
    }
  });

  it("lists each code once", () => {
    const seen = new Set<string>();
    for (const { code } of KEY_VAULT_ERROR_CATALOG) {
      assert.ok(!seen.has(code), `${code} is listed twice`);
      seen.add(code);
    }
  });

  it("builds every named error with a catalog code and a message", () => {
    const codes = new Set<string>(KEY_VAULT_ERROR_CATALOG.map((entry) => entry.code));
    for (const [name, args] of Object.entries(EXAMPLE_ARGUMENTS)) {
      const build = KeyVaultErrors[name as Factory] as (...args: unknown[]) => DomainError;
      const error = build(...args);
      assert.ok(error instanceof DomainError, `${name} builds a DomainError`);
      assert.ok(codes.has(error.code), `${name}: ${error.code} is in the catalog`);
      assert.ok(error.message.length > 0, `${name} has a message`);
    }
  });

  it("uses the service's words where they are in evidence (see the catalog's comments)", () => {
    assert.equal(KeyVaultErrors.roleAssignmentNotFound("a").message, "Requested role assignment not found");
    const sas = KeyVaultErrors.sasTokenMalformed("expiry");
    assert.equal(sas.code, "BadRequest");
    assert.equal(
      sas.message,
      "The customer provided SAS token is malformed. The SAS token does not contain the expiry field",
    );
    const malformed = KeyVaultErrors.keyBackupBlobMalformed();
    assert.equal(malformed.code, "BadParameter");
    assert.equal(malformed.message, "Backup blob contains invalid or corrupt version.");
    const foreign = KeyVaultErrors.keyBackupBlobForeign();
    assert.equal(foreign.code, "BadParameter");
    assert.match(foreign.message, /another security domain/);
    assert.notEqual(foreign.message, malformed.message);
  });

  it("keeps the wire's words for the errors clients check", () => {
    const notFound = KeyVaultErrors.keyNotFound("k1", "v1");
    assert.equal(notFound.code, "KeyNotFound");
    assert.equal(statusOf(notFound.code), 404);
    assert.match(notFound.message, /^A key with \(name\/id\) k1\/v1 was not found in this HSM\./);
    const denied = KeyVaultErrors.accessDenied("Microsoft.KeyVault/managedHsm/keys/sign/action", "/keys/k1");
    assert.equal(statusOf(denied.code), 403);
    assert.equal(denied.code, "AccessDenied");
    assert.equal(denied.innerCode, undefined);
    assert.equal(
      denied.message,
      "Not authorized to access Microsoft.KeyVault/managedHsm/keys/sign/action on /keys/k1",
    );
  });
});
