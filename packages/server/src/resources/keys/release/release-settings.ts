import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { KeyVersion, StoredReleasePolicy } from "../key-model.js";
import { canonicalPolicyJson, parseReleasePolicy } from "./release-policy.js";

/**
 * The service's rules for `exportable` and `release_policy` on create, import, update and
 * rotation. The service's words where they are known: "Exportable keys must have release
 * policy" (Azure/azure-sdk-for-js recording ..._releasekey/
 * recording_errors_when_key_is_exportable_without_a_release_policy.json, 400 BadParameter) and
 * "Non-exportable keys must not have release policy" (AKV.SKR.1005, Azure/azure-cli#28288).
 */
export const DEFAULT_POLICY_CONTENT_TYPE = "application/json; charset=utf-8";

/** A release_policy member as a request gives it. */
interface WireReleasePolicy {
  contentType?: unknown;
  data?: unknown;
  immutable?: unknown;
}

/** Reads and validates a request's release_policy; undefined when the request has none. */
export function readReleasePolicy(input: unknown): StoredReleasePolicy | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== "object" || Array.isArray(input)) {
    throw KeyVaultErrors.badParameter(
      "release_policy must be an object with contentType, data and immutable.",
    );
  }
  const wire = input as WireReleasePolicy;
  const contentType = wire.contentType ?? DEFAULT_POLICY_CONTENT_TYPE;
  if (
    typeof contentType !== "string" ||
    !/^application\/json(\s*;\s*charset=utf-8)?$/i.test(contentType.trim())
  ) {
    throw KeyVaultErrors.badParameter(
      `release_policy.contentType must be "${DEFAULT_POLICY_CONTENT_TYPE}" (the policy is JSON).`,
    );
  }
  if (wire.immutable !== undefined && wire.immutable !== null && typeof wire.immutable !== "boolean") {
    throw KeyVaultErrors.badParameter("release_policy.immutable must be true or false.");
  }
  if (typeof wire.data !== "string" || !/^[A-Za-z0-9_\-+/]*={0,2}$/.test(wire.data)) {
    throw KeyVaultErrors.badParameter(
      "release_policy.data must be the base64url encoding of the policy's JSON.",
    );
  }
  const json = Buffer.from(wire.data.replace(/\+/g, "-").replace(/\//g, "_"), "base64url");
  return {
    contentType: DEFAULT_POLICY_CONTENT_TYPE,
    policy: canonicalPolicyJson(parseReleasePolicy(json)),
    immutable: wire.immutable === true,
  };
}

/**
 * The exportable flag and policy of a new version (create, import). A new version of a key
 * whose current version has a policy keeps that policy unless the request gives one
 * (2026-04-01 keys.json: "Release policy must be provided when creating the first version of
 * an exportable key"); an immutable policy cannot be replaced that way either.
 */
export function releaseSettingsForNewVersion(
  requested: { exportable?: boolean | undefined; releasePolicy?: unknown },
  current: KeyVersion | undefined,
): { exportable: boolean; releasePolicy: StoredReleasePolicy | null } {
  const exportable = requested.exportable === true;
  const given = readReleasePolicy(requested.releasePolicy);
  const inherited = current?.releasePolicy ?? undefined;
  if (given && inherited?.immutable && !samePolicy(given, inherited)) throw immutablePolicy();
  if (!exportable) {
    if (given) throw nonExportableWithPolicy();
    return { exportable: false, releasePolicy: null };
  }
  const policy = given ?? inherited;
  if (!policy) {
    throw KeyVaultErrors.badParameter(
      "Exportable keys must have release policy: give release_policy (its data is the base64url of the policy JSON).",
    );
  }
  return { exportable: true, releasePolicy: policy };
}

/**
 * An update's change to one version's release settings. `exportable` is fixed when a version is
 * made: turning it on later would let a key that was promised never to leave the HSM leave it.
 */
export function releaseSettingsForUpdate(
  requested: { exportable?: boolean | undefined; releasePolicy?: unknown },
  current: KeyVersion,
): StoredReleasePolicy | null | undefined {
  const exportable = current.exportable === true;
  if (requested.exportable !== undefined && requested.exportable !== exportable) {
    throw KeyVaultErrors.badParameter(
      `attributes.exportable is set when a key version is created and cannot be changed (key ${current.name} is ${
        exportable ? "" : "not "
      }exportable).`,
    );
  }
  const given = readReleasePolicy(requested.releasePolicy);
  if (!given) return undefined;
  if (!exportable) throw nonExportableWithPolicy();
  const existing = current.releasePolicy ?? undefined;
  if (existing?.immutable && !samePolicy(given, existing)) throw immutablePolicy();
  return given;
}

const samePolicy = (a: StoredReleasePolicy, b: StoredReleasePolicy) =>
  a.policy === b.policy && a.immutable === b.immutable && a.contentType === b.contentType;

const nonExportableWithPolicy = () =>
  KeyVaultErrors.badParameter(
    "Non-exportable keys must not have release policy: set attributes.exportable to true, or leave release_policy out.",
  );

const immutablePolicy = () =>
  KeyVaultErrors.badParameter(
    "The key's release policy is immutable: once marked immutable it cannot be changed or made mutable. Nothing was changed.",
  );
