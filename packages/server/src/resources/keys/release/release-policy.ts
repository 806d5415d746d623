import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";

/**
 * Managed HSM's secure key release policy: parsing, validation, the canonical form the service
 * answers with, and evaluation against an attestation token's claims.
 *
 * Grammar (learn.microsoft.com/azure/key-vault/managed-hsm/policy-grammar):
 *   policy    = {"version": "1.0.0", "anyOf": [authority, ...]}
 *   authority = {"authority": <url>, "anyOf" | "allOf": [condition, ...]}
 *   condition = {"claim": <name>, <operator>: <value>} | {"anyOf": [...]} | {"allOf": [...]}
 *   operator  = equals | notEquals | less | lessOrEquals | greater | greaterOrEquals | exists
 * Version "1.0" (what the SDKs' first release tests sent) writes a claim condition as
 * {"claim", "condition": "equals", "value"}; the service stores it as 1.0.0 and hands back
 * {"claim", "equals"} (Azure/azure-sdk-for-js recording
 * keys_client__..._for_managed_hsm_releasekey/recording_can_update_a_keys_release_policy.json:
 * a 1.0 policy sent, a compact 1.0.0 policy answered), so this does the same.
 */
export const OPERATORS = [
  "equals",
  "notEquals",
  "less",
  "lessOrEquals",
  "greater",
  "greaterOrEquals",
  "exists",
] as const;
export type Operator = (typeof OPERATORS)[number];
type Scalar = string | number | boolean;

export type Condition =
  | { kind: "claim"; claim: string; operator: Operator; value: Scalar }
  | { kind: "anyOf" | "allOf"; conditions: Condition[] };

export interface AuthorityGroup {
  authority: string;
  kind: "anyOf" | "allOf";
  conditions: Condition[];
}

export interface ReleasePolicy {
  groups: AuthorityGroup[];
}

/** Bounds that keep evaluation cheap and a stored policy small. */
const MAX_POLICY_BYTES = 16 * 1024;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 200;

const invalid = (why: string) => KeyVaultErrors.badParameter(`Key Release Policy: ${why}`);

/** Parses policy JSON (the decoded `data` of a release_policy); throws BadParameter naming the fault. */
export function parseReleasePolicy(json: Buffer): ReleasePolicy {
  if (json.length === 0) throw invalid("the policy (data) is empty.");
  if (json.length > MAX_POLICY_BYTES) throw invalid(`the policy is larger than ${MAX_POLICY_BYTES} bytes.`);
  let document: unknown;
  try {
    document = JSON.parse(json.toString("utf8"));
  } catch {
    throw invalid("data is not JSON (it must be the base64url encoding of the policy's JSON).");
  }
  if (!isObject(document)) throw invalid("the policy must be a JSON object.");
  if (!("version" in document)) throw invalid("missing 'version' property.");
  const version = document.version;
  if (version !== "1.0.0" && version !== "1.0") {
    throw invalid(`version '${String(version).slice(0, 20)}' is not supported; use "1.0.0".`);
  }
  onlyMembers(document, ["version", "anyOf"], "the policy");
  const authorities = document.anyOf;
  if (!Array.isArray(authorities) || authorities.length === 0) {
    throw invalid("'anyOf' must be a non-empty array of authorities.");
  }
  const counter = { count: 0 };
  const groups = authorities.map((entry, index) => parseGroup(entry, `anyOf[${index}]`, version, counter));
  return { groups };
}

function parseGroup(
  entry: unknown,
  where: string,
  version: string,
  counter: { count: number },
): AuthorityGroup {
  if (!isObject(entry)) throw invalid(`${where} must be an object with 'authority' and 'anyOf' or 'allOf'.`);
  onlyMembers(entry, ["authority", "anyOf", "allOf"], where);
  const authority = entry.authority;
  if (typeof authority !== "string" || !isHttpsUrl(authority)) {
    throw invalid(`${where}.authority must be the https URL of an attestation authority.`);
  }
  const { kind, list } = oneList(entry, where);
  return { authority, kind, conditions: parseConditions(list, `${where}.${kind}`, version, 1, counter) };
}

function parseConditions(
  list: unknown[],
  where: string,
  version: string,
  depth: number,
  counter: { count: number },
): Condition[] {
  if (list.length === 0) throw invalid(`${where} must not be empty.`);
  if (depth > MAX_DEPTH) throw invalid(`conditions nest deeper than ${MAX_DEPTH} levels.`);
  return list.map((item, index) => {
    counter.count += 1;
    if (counter.count > MAX_CONDITIONS)
      throw invalid(`the policy has more than ${MAX_CONDITIONS} conditions.`);
    return parseCondition(item, `${where}[${index}]`, version, depth, counter);
  });
}

function parseCondition(
  item: unknown,
  where: string,
  version: string,
  depth: number,
  counter: { count: number },
): Condition {
  if (!isObject(item)) throw invalid(`${where} must be a condition object.`);
  if (!("claim" in item)) {
    onlyMembers(item, ["anyOf", "allOf"], where);
    const { kind, list } = oneList(item, where);
    return { kind, conditions: parseConditions(list, `${where}.${kind}`, version, depth + 1, counter) };
  }
  const claim = item.claim;
  if (typeof claim !== "string" || claim.length === 0 || claim.length > 256) {
    throw invalid(`${where}.claim must be a claim name of 1 to 256 characters.`);
  }
  // The 1.0 spelling: {"claim", "condition": "<operator>", "value"}.
  if (version === "1.0" && "condition" in item) {
    onlyMembers(item, ["claim", "condition", "value"], where);
    const operator = item.condition;
    if (!OPERATORS.includes(operator as Operator)) {
      throw invalid(`${where}.condition must be one of ${OPERATORS.join(", ")}.`);
    }
    return claimCondition(claim, operator as Operator, item.value, where);
  }
  const operators = OPERATORS.filter((name) => name in item);
  if (operators.length !== 1) {
    throw invalid(`${where} must have exactly one operator (${OPERATORS.join(", ")}) besides 'claim'.`);
  }
  const operator = operators[0] as Operator;
  onlyMembers(item, ["claim", operator], where);
  return claimCondition(claim, operator, item[operator], where);
}

function claimCondition(claim: string, operator: Operator, value: unknown, where: string): Condition {
  if (operator === "exists") {
    if (typeof value !== "boolean") throw invalid(`${where}: 'exists' takes true or false.`);
  } else if (!isScalar(value)) {
    throw invalid(`${where}: '${operator}' takes a string, number or boolean.`);
  } else if (typeof value === "string" && value.length > 4096) {
    throw invalid(`${where}: the value is longer than 4096 characters.`);
  }
  return { kind: "claim", claim, operator, value: value as Scalar };
}

function oneList(
  entry: Record<string, unknown>,
  where: string,
): { kind: "anyOf" | "allOf"; list: unknown[] } {
  const hasAny = "anyOf" in entry;
  const hasAll = "allOf" in entry;
  if (hasAny === hasAll) throw invalid(`${where} must have exactly one of 'anyOf' and 'allOf'.`);
  const kind = hasAny ? "anyOf" : "allOf";
  const list = entry[kind];
  if (!Array.isArray(list)) throw invalid(`${where}.${kind} must be an array of conditions.`);
  return { kind, list };
}

function onlyMembers(entry: Record<string, unknown>, allowed: string[], where: string): void {
  const extra = Object.keys(entry).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw invalid(`${where} has an unknown member '${extra.slice(0, 40)}'.`);
}

/**
 * The policy as the service answers it: version 1.0.0, members in the service's order
 * ({"anyOf": [{"anyOf"|"allOf": [...], "authority"}], "version"}), no whitespace.
 */
export function canonicalPolicyJson(policy: ReleasePolicy): string {
  const condition = (c: Condition): unknown =>
    c.kind === "claim"
      ? { claim: c.claim, [c.operator]: c.value }
      : { [c.kind]: c.conditions.map(condition) };
  return JSON.stringify({
    anyOf: policy.groups.map((group) => ({
      [group.kind]: group.conditions.map(condition),
      authority: group.authority,
    })),
    version: "1.0.0",
  });
}

/** Authorities compare as URLs: scheme and host case-insensitive, a trailing slash ignored. */
export function sameAuthority(a: string, b: string): boolean {
  return normalizeAuthority(a) === normalizeAuthority(b);
}

export function normalizeAuthority(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return url;
  }
}

/** The result of evaluating a policy: satisfied, or the first condition that was not. */
export type Evaluation = { satisfied: true } | { satisfied: false; reason: string };

/**
 * Evaluates the policy for a token whose issuer is `issuer`: only the authority groups naming
 * that issuer count (a token from one authority cannot satisfy another's conditions).
 */
export function evaluatePolicy(
  policy: ReleasePolicy,
  issuer: string,
  claims: Record<string, unknown>,
): Evaluation {
  const groups = policy.groups.filter((group) => sameAuthority(group.authority, issuer));
  if (groups.length === 0) {
    return {
      satisfied: false,
      reason: `the token was issued by '${issuer}', and the policy names only ${policy.groups
        .map((g) => `'${g.authority}'`)
        .join(", ")}`,
    };
  }
  let firstUnmet: string | undefined;
  for (const group of groups) {
    const unmet = evaluateList(group.kind, group.conditions, claims);
    if (unmet === undefined) return { satisfied: true };
    firstUnmet ??= unmet;
  }
  return { satisfied: false, reason: `the claims do not meet the condition ${firstUnmet}` };
}

/** undefined when the list holds; otherwise a description of a condition that failed. */
function evaluateList(
  kind: "anyOf" | "allOf",
  conditions: Condition[],
  claims: Record<string, unknown>,
): string | undefined {
  let firstUnmet: string | undefined;
  for (const condition of conditions) {
    const unmet: string | undefined =
      condition.kind === "claim"
        ? holds(condition, claims)
          ? undefined
          : describe(condition)
        : evaluateList(condition.kind, condition.conditions, claims);
    if (kind === "anyOf" && unmet === undefined) return undefined;
    if (kind === "allOf" && unmet !== undefined) return unmet;
    firstUnmet ??= unmet;
  }
  return kind === "allOf" ? undefined : firstUnmet;
}

const describe = (c: Extract<Condition, { kind: "claim" }>) =>
  `'${c.claim}' ${c.operator} ${JSON.stringify(c.value)}`;

/**
 * One claim condition. Values compare the way Azure Policy's operators do: strings without
 * regard to case, a string and a boolean or number by their text (a policy's "true" matches a
 * token's true, as the SDK tests' policy and mock token need), the ordering operators on numbers
 * only. A condition on a claim the token lacks is false (notEquals too): a missing claim never
 * releases a key.
 */
function holds(c: Extract<Condition, { kind: "claim" }>, claims: Record<string, unknown>): boolean {
  const found = claimValue(claims, c.claim);
  if (c.operator === "exists") return found.present === c.value;
  if (!found.present || !isScalar(found.value)) return false;
  const actual = found.value;
  switch (c.operator) {
    case "equals":
      return scalarEquals(actual, c.value);
    case "notEquals":
      return !scalarEquals(actual, c.value);
    default: {
      const a = toNumber(actual);
      const b = toNumber(c.value);
      if (a === undefined || b === undefined) return false;
      if (c.operator === "less") return a < b;
      if (c.operator === "lessOrEquals") return a <= b;
      if (c.operator === "greater") return a > b;
      return a >= b;
    }
  }
}

/** A claim by name: a top-level claim of that exact name, else a dotted path into nested ones. */
export function claimValue(
  claims: Record<string, unknown>,
  name: string,
): { present: boolean; value?: unknown } {
  if (Object.hasOwn(claims, name)) return { present: true, value: claims[name] };
  let current: unknown = claims;
  for (const part of name.split(".")) {
    if (!isObject(current) || !Object.hasOwn(current, part)) return { present: false };
    current = current[part];
  }
  return { present: true, value: current };
}

function scalarEquals(a: Scalar, b: Scalar): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  return String(a).toLowerCase() === String(b).toLowerCase();
}

function toNumber(value: Scalar): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

const isScalar = (value: unknown): value is Scalar =>
  typeof value === "string" ||
  typeof value === "boolean" ||
  (typeof value === "number" && Number.isFinite(value));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:" && value.length <= 2048;
  } catch {
    return false;
  }
}
