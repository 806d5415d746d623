import type { RoleDefinition } from "./models.js";

/**
 * The built-in Managed HSM roles, with the names, GUIDs and data actions a real Managed HSM
 * returns (shared/specs/recordings: "list role definitions" against a real HSM), plus the
 * newer Restore User (WIRE.md). Read-only: PUT or DELETE of these names is refused.
 */
const builtInRoles: readonly RoleDefinition[] = [
  {
    name: "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8",
    roleName: "Managed HSM Backup User",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/backup/start/action",
          "Microsoft.KeyVault/managedHsm/backup/status/action",
          "Microsoft.KeyVault/managedHsm/keys/backup/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "33413926-3206-4cdd-b39a-83574fe37a17",
    roleName: "Managed HSM Crypto Service Encryption User",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/keys/read/action",
          "Microsoft.KeyVault/managedHsm/keys/wrap/action",
          "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "21dbd100-6940-42c2-9190-5d6cb909625c",
    roleName: "Managed HSM Crypto Service Release User",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: ["Microsoft.KeyVault/managedHsm/keys/release/action"],
        notDataActions: [],
      },
    ],
  },
  {
    name: "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3",
    roleName: "Managed HSM Crypto Auditor",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
          "Microsoft.KeyVault/managedHsm/keys/read/action",
          "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "4bd23610-cdcf-4971-bdee-bdc562cc28e4",
    roleName: "Managed HSM Policy Administrator",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/write/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "21dbd100-6940-42c2-9190-5d6cb909625b",
    roleName: "Managed HSM Crypto User",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
          "Microsoft.KeyVault/managedHsm/keys/read/action",
          "Microsoft.KeyVault/managedHsm/keys/write/action",
          "Microsoft.KeyVault/managedHsm/keys/delete",
          "Microsoft.KeyVault/managedHsm/keys/create",
          "Microsoft.KeyVault/managedHsm/keys/rotate/action",
          "Microsoft.KeyVault/managedHsm/keys/import/action",
          "Microsoft.KeyVault/managedHsm/keys/release/action",
          "Microsoft.KeyVault/managedHsm/keys/backup/action",
          "Microsoft.KeyVault/managedHsm/keys/restore/action",
          "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
          "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
          "Microsoft.KeyVault/managedHsm/keys/wrap/action",
          "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
          "Microsoft.KeyVault/managedHsm/keys/sign/action",
          "Microsoft.KeyVault/managedHsm/keys/verify/action",
          "Microsoft.KeyVault/managedHsm/keys/derive/action",
          "Microsoft.KeyVault/managedHsm/rng/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
    roleName: "Managed HSM Crypto Officer",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/write/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
          "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
          "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
          "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
          "Microsoft.KeyVault/managedHsm/keys/export/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "a290e904-7015-4bba-90c8-60543313cdb4",
    roleName: "Managed HSM Administrator",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
          "Microsoft.KeyVault/managedHsm/roleAssignments/write/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action",
          "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
          "Microsoft.KeyVault/managedHsm/securitydomain/download/action",
          "Microsoft.KeyVault/managedHsm/securitydomain/download/read",
          "Microsoft.KeyVault/managedHsm/securitydomain/upload/action",
          "Microsoft.KeyVault/managedHsm/securitydomain/upload/read",
          "Microsoft.KeyVault/managedHsm/securitydomain/transferkey/read",
          "Microsoft.KeyVault/managedHsm/backup/start/action",
          "Microsoft.KeyVault/managedHsm/restore/start/action",
          "Microsoft.KeyVault/managedHsm/backup/status/action",
          "Microsoft.KeyVault/managedHsm/restore/status/action",
          "Microsoft.KeyVault/managedHsm/settings/read/action",
          "Microsoft.KeyVault/managedHsm/settings/write/action",
        ],
        notDataActions: [],
      },
    ],
  },
  {
    name: "6efe6056-5259-49d2-8b3d-d3d73544b20b",
    roleName: "Managed HSM Restore User",
    description: "",
    roleType: "AKVBuiltInRole",
    assignableScopes: ["/"],
    permissions: [
      {
        actions: [],
        notActions: [],
        dataActions: [
          "Microsoft.KeyVault/managedHsm/keys/restore/action",
          "Microsoft.KeyVault/managedHsm/restore/start/action",
          "Microsoft.KeyVault/managedHsm/restore/status/action",
        ],
        notDataActions: [],
      },
    ],
  },
];

const builtInByName = new Map(builtInRoles.map((role) => [role.name, role]));

export const BUILT_IN_ROLES = builtInRoles;

export function builtInRole(name: string): RoleDefinition | undefined {
  return builtInByName.get(name.toLowerCase());
}

export function isBuiltInRoleName(name: string): boolean {
  return builtInByName.has(name.toLowerCase());
}

export const ADMINISTRATOR_ROLE_NAME = "a290e904-7015-4bba-90c8-60543313cdb4";
