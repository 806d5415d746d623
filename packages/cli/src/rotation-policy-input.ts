import type { KeyRotationLifetimeAction, KeyRotationPolicyProperties } from "@azure/keyvault-keys";
import { jsonArgument } from "./argument-sources.js";
import { badArgument } from "./cli-error.js";

export interface RotationPolicyFlags {
  policy?: string;
  expiresIn?: string;
  rotateAfterCreate?: string;
  rotateBeforeExpiry?: string;
  notifyBeforeExpiry?: string;
}

/** An ISO 8601 duration, as the service takes them: P90D, P1Y6M, PT12H. */
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/**
 * The policy to set, from --policy (JSON inline, @file or -) or from the duration flags. The
 * JSON may be shaped as `mhsm key rotation-policy show -o json` prints it (`lifetimeActions`
 * of `{action, timeAfterCreate|timeBeforeExpiry}`, `expiresIn`) or as the REST API and
 * `az keyvault key rotation-policy update` take it (`{trigger, action: {type}}`,
 * `attributes.expiryTime`).
 */
export async function rotationPolicyInput(flags: RotationPolicyFlags): Promise<KeyRotationPolicyProperties> {
  const byFlags =
    flags.expiresIn || flags.rotateAfterCreate || flags.rotateBeforeExpiry || flags.notifyBeforeExpiry;
  if (flags.policy && byFlags) throw badArgument("give --policy or the duration flags, not both");
  if (flags.policy) {
    return parsePolicy(await jsonArgument("--policy", flags.policy));
  }
  if (!byFlags) {
    throw badArgument(
      "give --policy, or at least one of --expires-in, --rotate-after-create, --rotate-before-expiry, --notify-before-expiry",
    );
  }
  const lifetimeActions: KeyRotationLifetimeAction[] = [];
  if (flags.rotateAfterCreate)
    lifetimeActions.push({
      action: "Rotate",
      timeAfterCreate: duration("--rotate-after-create", flags.rotateAfterCreate),
    });
  if (flags.rotateBeforeExpiry)
    lifetimeActions.push({
      action: "Rotate",
      timeBeforeExpiry: duration("--rotate-before-expiry", flags.rotateBeforeExpiry),
    });
  if (flags.notifyBeforeExpiry)
    lifetimeActions.push({
      action: "Notify",
      timeBeforeExpiry: duration("--notify-before-expiry", flags.notifyBeforeExpiry),
    });
  return {
    lifetimeActions,
    expiresIn: flags.expiresIn ? duration("--expires-in", flags.expiresIn) : undefined,
  };
}

function parsePolicy(text: string): KeyRotationPolicyProperties {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badArgument("--policy is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null) throw badArgument("--policy must be a JSON object");
  const json = raw as {
    lifetimeActions?: unknown;
    expiresIn?: unknown;
    attributes?: { expiryTime?: unknown };
  };
  const expiresIn = json.expiresIn ?? json.attributes?.expiryTime;
  if (expiresIn !== undefined && expiresIn !== null && typeof expiresIn !== "string") {
    throw badArgument("--policy: expiresIn must be an ISO 8601 duration");
  }
  if (json.lifetimeActions !== undefined && !Array.isArray(json.lifetimeActions)) {
    throw badArgument("--policy: lifetimeActions must be an array");
  }
  return {
    expiresIn: expiresIn ?? undefined,
    lifetimeActions: ((json.lifetimeActions as unknown[] | undefined) ?? []).map(lifetimeAction),
  };
}

function lifetimeAction(raw: unknown, index: number): KeyRotationLifetimeAction {
  const entry = (raw ?? {}) as {
    action?: string | { type?: string };
    trigger?: { timeAfterCreate?: string; timeBeforeExpiry?: string };
    timeAfterCreate?: string;
    timeBeforeExpiry?: string;
  };
  const action = typeof entry.action === "object" ? entry.action?.type : entry.action;
  const normalized =
    action?.toLowerCase() === "rotate" ? "Rotate" : action?.toLowerCase() === "notify" ? "Notify" : undefined;
  if (!normalized) throw badArgument(`--policy: lifetimeActions[${index}] needs an action, Rotate or Notify`);
  return {
    action: normalized,
    timeAfterCreate: entry.trigger?.timeAfterCreate ?? entry.timeAfterCreate ?? undefined,
    timeBeforeExpiry: entry.trigger?.timeBeforeExpiry ?? entry.timeBeforeExpiry ?? undefined,
  };
}

function duration(flag: string, value: string): string {
  if (!DURATION.test(value))
    throw badArgument(`${flag} must be an ISO 8601 duration such as P90D or P1Y (got '${value}')`);
  return value;
}
