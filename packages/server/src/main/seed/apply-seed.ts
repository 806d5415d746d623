import { isDeepStrictEqual } from "node:util";
import { BUILT_IN_ROLES } from "../../platform/authorization/builtin-roles.js";
import { parseScope } from "../../platform/authorization/scope.js";
import { isGuid } from "../../platform/errors/guid.js";
import { type PrincipalStore, PrincipalService } from "../../resources/identity/principal-service.js";
import type { StoredPrincipal } from "../../resources/identity/principal-repository.js";
import { materialFromJwk } from "../../resources/keys/jwk-import.js";
import type { KeyMaterial } from "../../resources/keys/key-material.js";
import type { KeyShape } from "../../resources/keys/key-model.js";
import {
  type KeyPropertiesInput,
  checkValidityWindow,
  validateKeyOps,
  validateTags,
} from "../../resources/keys/key-properties.js";
import { propertiesFromWire } from "../../resources/keys/key-route-support.js";
import type { KeyService } from "../../resources/keys/key-service.js";
import { shapeFromCreateRequest } from "../../resources/keys/key-shapes.js";
import { validateRotationPolicy } from "../../resources/keys/rotation-policy.js";
import type { RoleAssignmentService } from "../../resources/rbac/role-assignment-service.js";
import type { RoleDefinitionService } from "../../resources/rbac/role-definition-service.js";
import type { SettingService } from "../../resources/settings/setting-service.js";
import { atEntry, SeedError } from "./seed-error.js";
import type { LoadedSeed } from "./seed-file.js";
import { guidFrom } from "./seed-guid.js";
import type { SeedKey } from "./seed-schema.js";

/** The services a seed is applied through: the same ones the REST API calls. */
export interface SeedTargets {
  principalStore: PrincipalStore;
  /** Drops the identity provider's cached list of principals once new ones exist. */
  principalsChanged: () => void;
  roleDefinitions: RoleDefinitionService;
  roleAssignments: RoleAssignmentService;
  settings: SettingService;
  /** Undefined while the HSM is not activated (no domain key yet): keys cannot be written then. */
  keys: KeyService | undefined;
  /**
   * Hears each write the seed made, once it is made (not the entries it found already so), so
   * the audit log holds it as it would the same request through the API.
   */
  recordWrite?: (write: SeedWrite) => Promise<void>;
}

/** A write the seed made, named as the REST operation that does the same. */
export interface SeedWrite {
  operation: string;
  method: "PUT" | "POST" | "PATCH";
  /** The resource's path, as a client would have called it. */
  path: string;
  /** The scope the same request is authorized at, which the API's audit records name as target. */
  target: string;
  /** The status the API answers the same request with. */
  status: 200 | 201;
}

/** A principal the seed declared, with its secret when this start made it (or the seed gives it). */
export interface SeededPrincipal extends StoredPrincipal {
  clientSecret?: string;
  /** True when this start created it. */
  created: boolean;
}

interface CheckedKey {
  entry: SeedKey;
  where: string;
  properties: KeyPropertiesInput;
  create?: KeyShape;
  material?: KeyMaterial;
}

/**
 * Applies a seed: what it declares is made to exist, and what already matches is left alone, so
 * a second start with the same seed changes nothing. Everything that can be checked without
 * writing is checked first (shapes, key files, key types and sizes, key_ops, validity windows,
 * rotation policies, scopes, role and principal references, setting names), so a bad entry
 * stops the start before any entry is applied. Entries are then applied in order: role
 * definitions, principals, role assignments, keys with their rotation policies, settings.
 */
export async function applySeed(loaded: LoadedSeed, targets: SeedTargets): Promise<SeededPrincipal[]> {
  const { file, seed } = loaded;
  const recorded = (write: SeedWrite) => targets.recordWrite?.(write) ?? Promise.resolve();
  const keys = await checkKeys(loaded, targets);
  await checkReferences(loaded, targets);

  const definitionNames = new Map<string, string>();
  for (const [index, entry] of seed.roleDefinitions.entries()) {
    const where = `roleDefinitions[${index}]`;
    const name = await atEntry(file, where, async () => {
      const name =
        entry.name ??
        (await existingCustomRoleName(targets, entry.roleName)) ??
        guidFrom(`role:${entry.roleName.toLowerCase()}`);
      const before = await targets.roleDefinitions.find(name);
      const after = await targets.roleDefinitions.createOrUpdate(name, {
        roleName: entry.roleName,
        description: entry.description ?? "",
        type: "CustomRole",
        permissions: entry.permissions,
        assignableScopes: entry.assignableScopes ?? ["/"],
      });
      // A definition already as declared is left alone (the service writes nothing then).
      if (before && isDeepStrictEqual(before, after)) return name;
      await recorded({
        operation: "RoleDefinitions_CreateOrUpdate",
        status: 201,
        method: "PUT",
        path: `/providers/Microsoft.Authorization/roleDefinitions/${name}`,
        target: "/",
      });
      return name;
    });
    // Assignments may name it by role name or by its GUID.
    definitionNames.set(entry.roleName.toLowerCase(), name);
    definitionNames.set(name.toLowerCase(), name);
  }

  const principals: SeededPrincipal[] = [];
  for (const [index, entry] of seed.principals.entries()) {
    // Find-or-create in one write transaction: write transactions run one at a time on every
    // node (store.ts), so nodes starting together with one seed make each principal once.
    const principal = await atEntry(file, `principals[${index}]`, () =>
      targets.principalStore.transaction((tx) => ensurePrincipal(tx, entry)),
    );
    principals.push(principal);
    if (principal.created) {
      await recorded({
        operation: "Principals_Create",
        status: 201,
        method: "POST",
        path: "/mhsm/principals",
        target: "/",
      });
    }
  }
  if (principals.some((principal) => principal.created)) targets.principalsChanged();

  for (const [index, entry] of seed.roleAssignments.entries()) {
    await atEntry(file, `roleAssignments[${index}]`, async () => {
      const scope = parseScope(entry.scope);
      const principalId = (
        entry.principalId ?? principals.find((p) => p.displayName === entry.principal)?.objectId
      )?.toLowerCase() as string;
      const definition = await resolveRole(targets, entry.role, definitionNames);
      const name = (entry.name ?? guidFrom(`assignment:${scope}|${principalId}|${definition}`)).toLowerCase();
      const granted = async () =>
        (await allAssignmentsAt(targets, scope, principalId)).some(
          (a) => a.scope === scope && a.roleDefinitionName === definition,
        );
      if (await granted()) return; // granted already, by this seed or otherwise
      try {
        await targets.roleAssignments.create(scope, name, {
          roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${definition}`,
          principalId,
        });
      } catch (error) {
        // Another node applying the same seed made it in between: that is the state wanted.
        if ((error as { code?: string }).code === "RoleAssignmentExists" && (await granted())) return;
        throw error;
      }
      await recorded({
        operation: "RoleAssignments_Create",
        status: 201,
        method: "PUT",
        path: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        target: scope,
      });
    });
  }

  for (const key of keys) {
    const service = targets.keys as KeyService;
    await atEntry(file, key.where, async () => {
      const exists = await service.get(key.entry.name).then(
        () => true,
        (error: { code?: string }) => {
          if (error.code === "KeyNotFound") return false;
          throw error;
        },
      );
      // A key that exists is left as it is: the seed makes keys, it does not add versions.
      if (!exists) {
        const name = key.entry.name;
        if (key.material) {
          await service.import(name, key.material, key.properties);
          await recorded({
            operation: "ImportKey",
            status: 200,
            method: "PUT",
            path: `/keys/${name}`,
            target: keyScope(name),
          });
        } else {
          await service.create(name, key.create as KeyShape, key.properties);
          await recorded({
            operation: "CreateKey",
            status: 200,
            method: "POST",
            path: `/keys/${name}/create`,
            target: keyScope(name),
          });
        }
      }
    });
    if (key.entry.rotationPolicy) {
      const policy = key.entry.rotationPolicy;
      await atEntry(file, `${key.where}.rotationPolicy`, async () => {
        const wanted = validateRotationPolicy(policy);
        const current = await service.getRotationPolicy(key.entry.name);
        if (current && samePolicy(current, wanted)) return;
        await service.setRotationPolicy(key.entry.name, policy);
        await recorded({
          operation: "UpdateKeyRotationPolicy",
          status: 200,
          method: "PUT",
          path: `/keys/${key.entry.name}/rotationpolicy`,
          target: keyScope(key.entry.name),
        });
      });
    }
  }

  for (const [name, value] of Object.entries(seed.settings)) {
    await atEntry(file, `settings.${name}`, async () => {
      const current = await targets.settings.get(name);
      if (current.value.toLowerCase() === value.toLowerCase()) return;
      await targets.settings.update(name, value);
      await recorded({
        operation: "UpdateSetting",
        status: 200,
        method: "PATCH",
        path: `/settings/${name}`,
        target: "/",
      });
    });
  }
  return principals;
}

/** A key's RBAC scope: key names are case-insensitive, and scopes are spelled in lower case. */
const keyScope = (name: string) => `/keys/${name.toLowerCase()}`;

/** Every key entry turned into what the key service takes, with the checks its routes make. */
async function checkKeys(
  { file, seed, importedKeys }: LoadedSeed,
  targets: SeedTargets,
): Promise<CheckedKey[]> {
  if (seed.keys.length > 0 && !targets.keys) {
    throw new SeedError(
      file,
      "keys",
      "the HSM is not activated (it has no domain key yet), so keys cannot be seeded; seed keys with --activation auto, or after activation",
    );
  }
  const checked: CheckedKey[] = [];
  for (const [index, entry] of seed.keys.entries()) {
    const where = `keys[${index}]`;
    checked.push(
      await atEntry(file, where, async () => {
        const jwk = importedKeys.get(index);
        if (jwk) {
          const material = await materialFromJwk(jwk);
          const properties = propertiesFromWire({ ...entry, key_ops: entry.key_ops ?? jwk.key_ops });
          checkProperties(material.kty, properties);
          return { entry, where, properties, material };
        }
        const create = shapeFromCreateRequest(entry);
        const properties = propertiesFromWire(entry);
        checkProperties(create.kty, properties);
        return { entry, where, properties, create };
      }),
    );
    if (entry.rotationPolicy) {
      const policy = entry.rotationPolicy;
      await atEntry(file, `${where}.rotationPolicy`, () => validateRotationPolicy(policy));
    }
  }
  return checked;
}

function checkProperties(kty: KeyShape["kty"], properties: KeyPropertiesInput): void {
  validateKeyOps(kty, properties.keyOps);
  validateTags(properties.tags);
  checkValidityWindow(properties.notBefore ?? null, properties.expires ?? null);
}

/** Scopes, the principals and roles assignments name, role names that clash, setting names. */
async function checkReferences({ file, seed }: LoadedSeed, targets: SeedTargets): Promise<void> {
  const builtIn = new Set(BUILT_IN_ROLES.map((role) => role.roleName.toLowerCase()));
  for (const [index, entry] of seed.roleDefinitions.entries()) {
    if (builtIn.has(entry.roleName.toLowerCase())) {
      throw new SeedError(
        file,
        `roleDefinitions[${index}].roleName`,
        `'${entry.roleName}' is a built-in role`,
      );
    }
  }
  const seededRoles = new Set(
    seed.roleDefinitions.flatMap((d) => [
      d.roleName.toLowerCase(),
      ...(d.name ? [d.name.toLowerCase()] : []),
    ]),
  );
  const seededPrincipals = new Set(seed.principals.map((p) => p.name));
  for (const [index, entry] of seed.roleAssignments.entries()) {
    const where = `roleAssignments[${index}]`;
    await atEntry(file, `${where}.scope`, () => parseScope(entry.scope));
    if (entry.principal !== undefined && !seededPrincipals.has(entry.principal)) {
      throw new SeedError(
        file,
        `${where}.principal`,
        `no principal named '${entry.principal}' in this seed's principals`,
      );
    }
    if (seededRoles.has(entry.role.toLowerCase())) continue;
    await atEntry(file, `${where}.role`, () => resolveRole(targets, entry.role, new Map()));
  }
  for (const name of Object.keys(seed.settings)) {
    await atEntry(file, `settings.${name}`, () => targets.settings.get(name));
  }
}

/** A role definition's GUID from a role name or GUID. */
async function resolveRole(targets: SeedTargets, role: string, seeded: Map<string, string>): Promise<string> {
  const fromSeed = seeded.get(role.toLowerCase());
  if (fromSeed) return fromSeed;
  if (isGuid(role)) return (await targets.roleDefinitions.get(role)).name;
  const [found] = await targets.roleDefinitions.list({ roleName: role }, undefined, 1);
  if (!found)
    throw new Error(`no role definition named '${role}' (a built-in role, or one of roleDefinitions)`);
  return found.definition.name;
}

/** Lists read a page at a time; a seed reads these few whole. */
const SEED_PAGE = 200;

/** The principal's assignments at the scope and above it, every page. */
async function allAssignmentsAt(targets: SeedTargets, scope: string, principalId: string) {
  const all = [];
  for (let after: string | undefined; ;) {
    const page = await targets.roleAssignments.list(scope, { atScope: true, principalId }, after, SEED_PAGE);
    all.push(...page);
    if (page.length < SEED_PAGE) return all;
    after = page[page.length - 1]?.name;
  }
}

async function principalNamed(store: PrincipalStore, displayName: string) {
  for (let after: { createdAt: number; objectId: string } | undefined; ;) {
    const page = await store.principals.listPage(after, SEED_PAGE);
    const found = page.find((p) => p.displayName === displayName);
    if (found || page.length < SEED_PAGE) return found;
    const last = page[page.length - 1] as (typeof page)[number];
    after = { createdAt: last.createdAt, objectId: last.objectId };
  }
}

async function existingCustomRoleName(targets: SeedTargets, roleName: string): Promise<string | undefined> {
  const builtIn = new Set(BUILT_IN_ROLES.map((role) => role.name));
  const found = (await targets.roleDefinitions.list({ roleName }, undefined, SEED_PAGE)).find(
    (entry) => !builtIn.has(entry.definition.name),
  );
  return found?.definition.name;
}

/**
 * The principal the entry declares: found by its client id, else its object id, else its name;
 * made when none exists. An existing one must agree with what the entry says of it.
 */
async function ensurePrincipal(
  store: PrincipalStore,
  entry: {
    name: string;
    objectId?: string | undefined;
    clientId?: string | undefined;
    clientSecret?: string | undefined;
  },
): Promise<SeededPrincipal> {
  const service = new PrincipalService(store);
  const clientId = entry.clientId?.toLowerCase();
  const objectId = entry.objectId?.toLowerCase();
  const existing =
    (clientId !== undefined ? await store.principals.findByClientId(clientId) : undefined) ??
    (objectId !== undefined ? await store.principals.get(objectId) : undefined) ??
    (clientId === undefined && objectId === undefined ? await principalNamed(store, entry.name) : undefined);
  if (!existing) {
    const created = await service.create(entry.name, entry);
    return { ...created, created: true };
  }
  const { objectId: foundObjectId, clientId: foundClientId, displayName, createdAt } = existing;
  if (objectId !== undefined && foundObjectId !== objectId) {
    throw new Error(
      `objectId: the principal with client id ${foundClientId} has object id ${foundObjectId}; a seed does not change a principal's ids`,
    );
  }
  if (clientId !== undefined && foundClientId !== clientId) {
    throw new Error(
      `clientId: the principal with object id ${foundObjectId} has client id ${foundClientId}; a seed does not change a principal's ids`,
    );
  }
  if (displayName !== entry.name) {
    throw new Error(`name: the principal with client id ${foundClientId} is named '${displayName}'`);
  }
  if (entry.clientSecret !== undefined && !(await service.authenticate(foundClientId, entry.clientSecret))) {
    throw new Error(
      "clientSecret: differs from the existing principal's; a seed does not change a secret (delete the principal to have it made again)",
    );
  }
  return {
    objectId: foundObjectId,
    clientId: foundClientId,
    displayName,
    createdAt,
    ...(entry.clientSecret !== undefined ? { clientSecret: entry.clientSecret } : {}),
    created: false,
  };
}

function samePolicy(a: object, b: object): boolean {
  const comparable = (policy: object) => {
    const { created: _created, updated: _updated, ...rest } = policy as Record<string, unknown>;
    return JSON.stringify(rest, Object.keys(rest).sort());
  };
  return comparable(a) === comparable(b);
}
