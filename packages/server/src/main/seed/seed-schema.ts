import { z } from "zod";
import { KEY_NAME_PATTERN } from "../../platform/authorization/scope.js";
import { GUID_PATTERN } from "../../platform/errors/guid.js";

/**
 * The seed file (`mhsm serve --seed <file>`): what an HSM should hold when it starts. This
 * schema checks shapes and types, so an error names the entry (`keys[2].kty: …`); what values
 * mean (a key size that fits the type, a known data action, a setting's value) is checked by
 * the same services the REST API calls, before anything is written. Key entries use the REST
 * API's own field names (kty, key_size, crv, key_ops, attributes.exp, …), so a body that
 * works with `POST /keys/{name}/create` works here.
 */
const guid = z.string().regex(GUID_PATTERN, "must be a GUID");
const strings = z.array(z.string().max(200)).max(100);

const principal = z.strictObject({
  /** Display name, and how role assignments in the seed name the principal. */
  name: z.string().min(1).max(120),
  objectId: guid.optional(),
  clientId: guid.optional(),
  /** Generated (and written to <data-dir>/seeded-principals.json) when absent. */
  clientSecret: z.string().optional(),
});

const roleDefinition = z.strictObject({
  /** The definition's GUID; when absent, the one a custom role of this roleName has, or a new one. */
  name: guid.optional(),
  roleName: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  permissions: z
    .array(
      z.strictObject({
        actions: strings.optional(),
        notActions: strings.optional(),
        dataActions: strings.optional(),
        notDataActions: strings.optional(),
      }),
    )
    .min(1)
    .max(20),
  assignableScopes: z.array(z.string()).max(10).optional(),
});

const roleAssignment = z
  .strictObject({
    /** The assignment's GUID; when absent, one derived from scope, principal and role. */
    name: guid.optional(),
    scope: z.string().default("/"),
    /** A principal of this seed, by its name. */
    principal: z.string().optional(),
    /** Any object id (a principal of another identity provider, say). */
    principalId: guid.optional(),
    /** A role name ("Managed HSM Crypto User", or a custom role's) or a role definition's GUID. */
    role: z.string().min(1),
  })
  .refine((entry) => (entry.principal === undefined) !== (entry.principalId === undefined), {
    message: "give exactly one of principal (a seeded principal's name) and principalId (an object id)",
  });

const unixSeconds = z.number().int().nonnegative().nullable().optional();

const rotationPolicy = z.strictObject({
  lifetimeActions: z
    .array(
      z.strictObject({
        trigger: z.strictObject({
          timeAfterCreate: z.string().max(40).optional(),
          timeBeforeExpiry: z.string().max(40).optional(),
        }),
        action: z.strictObject({ type: z.string().max(20) }),
      }),
    )
    .max(10)
    .optional(),
  attributes: z.strictObject({ expiryTime: z.string().max(40).optional() }).optional(),
});

const keyImport = z
  .strictObject({
    /** A JSON Web Key file, relative to the seed file. */
    jwkFile: z.string().min(1).optional(),
    /** A PEM private key file (PKCS#8, PKCS#1 or SEC1), relative to the seed file. */
    pemFile: z.string().min(1).optional(),
  })
  .refine((entry) => (entry.jwkFile === undefined) !== (entry.pemFile === undefined), {
    message: "give exactly one of jwkFile and pemFile",
  });

const key = z
  .strictObject({
    name: z.string().regex(KEY_NAME_PATTERN, "must be 1 to 127 letters, digits and hyphens"),
    /** For a generated key: RSA-HSM, EC-HSM, oct-HSM (or RSA, EC, oct). */
    kty: z.string().max(20).optional(),
    key_size: z.number().int().optional(),
    public_exponent: z.number().int().optional(),
    crv: z.string().max(20).optional(),
    /** Instead of generating: the key material from a file. */
    import: keyImport.optional(),
    key_ops: z.array(z.string().max(40)).max(20).optional(),
    attributes: z
      .strictObject({ enabled: z.boolean().optional(), nbf: unixSeconds, exp: unixSeconds })
      .optional(),
    tags: z.record(z.string(), z.string()).optional(),
    rotationPolicy: rotationPolicy.optional(),
  })
  .superRefine((entry, context) => {
    if (entry.import === undefined && entry.kty === undefined) {
      context.addIssue({
        code: "custom",
        path: ["kty"],
        message: "a generated key needs kty (or give import)",
      });
    }
    if (entry.import !== undefined) {
      for (const field of ["kty", "key_size", "public_exponent", "crv"] as const) {
        if (entry[field] !== undefined) {
          context.addIssue({
            code: "custom",
            path: [field],
            message: "an imported key takes its type and size from its file",
          });
        }
      }
    }
  });

/** Each name once per list (key names and role names compare case-insensitively, as the HSM's do). */
function unique<T>(
  entries: T[],
  nameOf: (entry: T) => string | undefined,
  context: z.RefinementCtx,
  list: string,
) {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const name = nameOf(entry)?.toLowerCase();
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) {
      context.addIssue({
        code: "custom",
        path: [list, index, "name"],
        message: `'${nameOf(entry)}' is declared twice (first at ${list}[${first}])`,
      });
    } else seen.set(name, index);
  });
}

export const seedFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    principals: z.array(principal).max(1000).default([]),
    roleDefinitions: z.array(roleDefinition).max(1000).default([]),
    roleAssignments: z.array(roleAssignment).max(2000).default([]),
    keys: z.array(key).max(1000).default([]),
    /** HSM settings by name, e.g. { "AllowKeyManagementOperationsThroughARM": true }. */
    settings: z
      .record(
        z.string(),
        z.union([z.string(), z.boolean()]).transform((value) => String(value)),
      )
      .default({}),
  })
  .superRefine((seed, context) => {
    unique(seed.principals, (p) => p.name, context, "principals");
    unique(seed.roleDefinitions, (d) => d.roleName, context, "roleDefinitions");
    unique(seed.keys, (k) => k.name, context, "keys");
  });

export type SeedFile = z.output<typeof seedFileSchema>;
export type SeedKey = SeedFile["keys"][number];
export type SeedPrincipal = SeedFile["principals"][number];
export type SeedRoleDefinition = SeedFile["roleDefinitions"][number];
export type SeedRoleAssignment = SeedFile["roleAssignments"][number];

/** `keys[2].kty`: where a zod issue is, as the error names it. */
export function entryPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}
