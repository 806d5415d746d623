import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { type IsoDuration, minimumDays, parseIsoDuration, shiftByDuration } from "./iso-duration.js";
import type { KeyVersion, LifetimeAction, RotationPolicy } from "./key-model.js";

/**
 * Rotation policies: validation of what a client sets, and the one question the maintenance
 * loop asks — when is this key's next rotation due? The limits are Key Vault's: new versions
 * expire at least 28 days after they are made, rotation triggers are at least 7 days, and a
 * rotation must come at least 7 days before the version it replaces expires.
 */
const MIN_EXPIRY_DAYS = 28;
const MIN_TRIGGER_DAYS = 7;

export interface RotationPolicyInput {
  lifetimeActions?: Array<{
    trigger?: { timeAfterCreate?: string | null; timeBeforeExpiry?: string | null } | null;
    action?: { type?: string | null } | null;
  }> | null;
  attributes?: { expiryTime?: string | null } | null;
}

export function validateRotationPolicy(
  input: RotationPolicyInput,
): Omit<RotationPolicy, "created" | "updated"> {
  const expiryTime = input.attributes?.expiryTime ?? undefined;
  const expiry = expiryTime === undefined ? undefined : duration(expiryTime, "attributes.expiryTime");
  if (expiry && minimumDays(expiry) < MIN_EXPIRY_DAYS) {
    throw KeyVaultErrors.badParameter(
      `The policy's expiryTime must be at least ${MIN_EXPIRY_DAYS} days (P${MIN_EXPIRY_DAYS}D).`,
    );
  }
  const actions: LifetimeAction[] = [];
  for (const [index, entry] of (input.lifetimeActions ?? []).entries()) {
    const where = `lifetimeActions[${index}]`;
    const typeName = entry.action?.type?.toLowerCase();
    if (typeName !== "rotate" && typeName !== "notify") {
      throw KeyVaultErrors.badParameter(`${where}.action.type must be 'Rotate' or 'Notify'.`);
    }
    const type = typeName === "rotate" ? "Rotate" : "Notify";
    if (actions.some((action) => action.type === type)) {
      throw KeyVaultErrors.badParameter(`A policy has at most one '${type}' lifetime action.`);
    }
    const afterCreate = entry.trigger?.timeAfterCreate ?? undefined;
    const beforeExpiry = entry.trigger?.timeBeforeExpiry ?? undefined;
    if ((afterCreate === undefined) === (beforeExpiry === undefined)) {
      throw KeyVaultErrors.badParameter(
        `${where}.trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`,
      );
    }
    if (type === "Notify" && afterCreate !== undefined) {
      throw KeyVaultErrors.badParameter(`${where}: a Notify action is triggered by timeBeforeExpiry only.`);
    }
    const trigger = duration((afterCreate ?? beforeExpiry) as string, `${where}.trigger`);
    if (minimumDays(trigger) < MIN_TRIGGER_DAYS) {
      throw KeyVaultErrors.badParameter(
        `${where}.trigger must be at least ${MIN_TRIGGER_DAYS} days (P${MIN_TRIGGER_DAYS}D).`,
      );
    }
    if (expiry && minimumDays(expiry) - minimumDays(trigger) < MIN_TRIGGER_DAYS) {
      throw KeyVaultErrors.badParameter(
        `${where}.trigger must leave at least ${MIN_TRIGGER_DAYS} days before the expiryTime (${expiryTime}).`,
      );
    }
    actions.push(
      afterCreate !== undefined
        ? { type, timeAfterCreate: afterCreate }
        : { type, timeBeforeExpiry: beforeExpiry },
    );
  }
  return expiryTime === undefined ? { lifetimeActions: actions } : { lifetimeActions: actions, expiryTime };
}

/**
 * When the policy's Rotate action is due for this current version, or undefined when it has
 * none (no Rotate action, or a timeBeforeExpiry trigger on a version that never expires).
 */
export function rotationDueAt(policy: RotationPolicy, current: KeyVersion): number | undefined {
  const rotate = policy.lifetimeActions.find((action) => action.type === "Rotate");
  if (!rotate) return undefined;
  if (rotate.timeAfterCreate !== undefined) {
    return shiftByDuration(current.attributes.created, parsed(rotate.timeAfterCreate), 1);
  }
  if (rotate.timeBeforeExpiry !== undefined && current.attributes.expires !== null) {
    return shiftByDuration(current.attributes.expires, parsed(rotate.timeBeforeExpiry), -1);
  }
  return undefined;
}

/**
 * When the policy's Notify action is due for this current version: its timeBeforeExpiry
 * before the version expires. Undefined when there is no Notify action or no expiry.
 */
export function nearExpiryNoticeAt(policy: RotationPolicy, current: KeyVersion): number | undefined {
  const notify = policy.lifetimeActions.find((action) => action.type === "Notify");
  if (notify?.timeBeforeExpiry === undefined || current.attributes.expires === null) return undefined;
  return shiftByDuration(current.attributes.expires, parsed(notify.timeBeforeExpiry), -1);
}

/** The expiry a new version gets under the policy (null: none). */
export function expiryForNewVersion(policy: RotationPolicy | null, created: number): number | null {
  if (!policy?.expiryTime) return null;
  return shiftByDuration(created, parsed(policy.expiryTime), 1);
}

function duration(text: string, field: string): IsoDuration {
  const parsedDuration = typeof text === "string" ? parseIsoDuration(text) : undefined;
  if (!parsedDuration) {
    throw KeyVaultErrors.badParameter(
      `${field} '${String(text).slice(0, 40)}' is not an ISO 8601 duration such as P90D or P1Y.`,
    );
  }
  return parsedDuration;
}

function parsed(text: string): IsoDuration {
  return parseIsoDuration(text) as IsoDuration;
}
