/**
 * The data actions the server's routes declare. Role definitions may hold any string (the
 * service itself uses some outside the OpenAPI enum); these are the ones it checks.
 */
const prefix = "Microsoft.KeyVault/managedHsm";

export const DataAction = {
  RoleDefinitionsRead: `${prefix}/roleDefinitions/read/action`,
  RoleDefinitionsWrite: `${prefix}/roleDefinitions/write/action`,
  RoleDefinitionsDelete: `${prefix}/roleDefinitions/delete/action`,
  RoleAssignmentsRead: `${prefix}/roleAssignments/read/action`,
  RoleAssignmentsWrite: `${prefix}/roleAssignments/write/action`,
  RoleAssignmentsDelete: `${prefix}/roleAssignments/delete/action`,
  KeysRead: `${prefix}/keys/read/action`,
  KeysWrite: `${prefix}/keys/write/action`,
  KeysCreate: `${prefix}/keys/create`,
  KeysImport: `${prefix}/keys/import/action`,
  KeysDelete: `${prefix}/keys/delete`,
  KeysBackup: `${prefix}/keys/backup/action`,
  KeysRestore: `${prefix}/keys/restore/action`,
  KeysRotate: `${prefix}/keys/rotate/action`,
  KeysRelease: `${prefix}/keys/release/action`,
  KeysEncrypt: `${prefix}/keys/encrypt/action`,
  KeysDecrypt: `${prefix}/keys/decrypt/action`,
  KeysWrap: `${prefix}/keys/wrap/action`,
  KeysUnwrap: `${prefix}/keys/unwrap/action`,
  KeysSign: `${prefix}/keys/sign/action`,
  KeysVerify: `${prefix}/keys/verify/action`,
  DeletedKeysRead: `${prefix}/keys/deletedKeys/read/action`,
  DeletedKeysRecover: `${prefix}/keys/deletedKeys/recover/action`,
  DeletedKeysPurge: `${prefix}/keys/deletedKeys/delete`,
  Rng: `${prefix}/rng/action`,
  SettingsRead: `${prefix}/settings/read/action`,
  SettingsWrite: `${prefix}/settings/write/action`,
  BackupStart: `${prefix}/backup/start/action`,
  BackupStatus: `${prefix}/backup/status/action`,
  RestoreStart: `${prefix}/restore/start/action`,
  RestoreStatus: `${prefix}/restore/status/action`,
  // securitydomain.json's (the Managed HSM Administrator holds them all).
  SecurityDomainDownload: `${prefix}/securitydomain/download/action`,
  SecurityDomainDownloadRead: `${prefix}/securitydomain/download/read`,
  SecurityDomainUpload: `${prefix}/securitydomain/upload/action`,
  SecurityDomainUploadRead: `${prefix}/securitydomain/upload/read`,
  SecurityDomainTransferKeyRead: `${prefix}/securitydomain/transferkey/read`,
} as const;

export type DataActionName = (typeof DataAction)[keyof typeof DataAction];

/** What a data action pattern in a role may look like: path segments, with `*` wildcards. */
export const DATA_ACTION_PATTERN = /^[A-Za-z0-9*][A-Za-z0-9.*_/-]{0,255}$/;

/**
 * Azure action matching: case-insensitive, `*` stands for any run of characters (including
 * none). Greedy matching that backtracks only to the last `*` seen: at most
 * pattern length × action length steps, whatever the pattern. (A regex with one `.*` per star
 * backtracked exponentially: eight stars cost seconds per request.)
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  let pi = 0;
  let ai = 0;
  let starAt = -1; // the last `*` in the pattern, or -1
  let resumeAt = 0; // where in the action that star's run ends so far
  while (ai < a.length) {
    if (pi < p.length && p[pi] === "*") {
      starAt = pi++;
      resumeAt = ai;
    } else if (pi < p.length && p[pi] === a[ai]) {
      pi++;
      ai++;
    } else if (starAt >= 0) {
      // Let the last star swallow one more character and retry the rest of the pattern.
      pi = starAt + 1;
      ai = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
