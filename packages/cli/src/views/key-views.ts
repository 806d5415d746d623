import type {
  DeletedKey,
  JsonWebKey,
  KeyProperties,
  KeyRotationPolicy,
  KeyVaultKey,
} from "@azure/keyvault-keys";
import type { Column, View } from "../output.js";

/**
 * The public half of a key: what a JWK may show to anyone. Private fields (d, p, q, dp, dq, qi)
 * and symmetric material (k) are left out even if a service were to send them.
 */
function publicJwk(key: JsonWebKey | undefined): Record<string, unknown> | undefined {
  if (!key) return undefined;
  const { kid, kty, keyOps, n, e, crv, x, y } = key as JsonWebKey & { x?: Uint8Array; y?: Uint8Array };
  return { kid, kty, keyOps, n, e, crv, x, y };
}

/** RSA: the modulus' bits; EC: the curve says it; oct: the HSM does not say. */
function keySize(key: JsonWebKey | undefined): number | undefined {
  if (!key?.n) return undefined;
  const modulus = Buffer.from(key.n);
  const significant = modulus[0] === 0 ? modulus.subarray(1) : modulus;
  return significant.length * 8;
}

function propertiesJson(properties: KeyProperties) {
  return {
    id: properties.id,
    name: properties.name,
    version: properties.version,
    enabled: properties.enabled,
    exportable: properties.exportable ?? false,
    notBefore: properties.notBefore ?? null,
    expiresOn: properties.expiresOn ?? null,
    createdOn: properties.createdOn,
    updatedOn: properties.updatedOn,
    recoveryLevel: properties.recoveryLevel,
    recoverableDays: properties.recoverableDays,
    tags: properties.tags ?? {},
  };
}

export const keyView: View<KeyVaultKey> = {
  json: (key) => ({
    ...propertiesJson(key.properties),
    keyType: key.keyType,
    keySize: keySize(key.key),
    curve: key.key?.crv,
    keyOperations: key.keyOperations ?? [],
    key: publicJwk(key.key),
  }),
  columns: [
    { header: "Name", value: (k) => k.name },
    { header: "Version", value: (k) => k.properties.version },
    { header: "Type", value: (k) => k.keyType },
    { header: "Size", value: (k) => keySize(k.key) },
    { header: "Curve", value: (k) => k.key?.crv },
    { header: "Operations", value: (k) => k.keyOperations?.join(", ") },
    { header: "Enabled", value: (k) => k.properties.enabled },
    { header: "Not before", value: (k) => k.properties.notBefore },
    { header: "Expires", value: (k) => k.properties.expiresOn },
    { header: "Created", value: (k) => k.properties.createdOn },
    { header: "Updated", value: (k) => k.properties.updatedOn },
    { header: "Recovery level", value: (k) => k.properties.recoveryLevel },
    { header: "Tags", value: (k) => tagsText(k.properties.tags) },
    { header: "Id", value: (k) => k.id },
  ],
};

const listColumns: Array<Column<KeyProperties>> = [
  { header: "Name", value: (p) => p.name },
  { header: "Enabled", value: (p) => p.enabled },
  { header: "Created", value: (p) => p.createdOn },
  { header: "Updated", value: (p) => p.updatedOn },
  { header: "Expires", value: (p) => p.expiresOn },
  { header: "Tags", value: (p) => tagsText(p.tags) },
];

export const keyPropertiesView: View<KeyProperties> = { json: propertiesJson, columns: listColumns };

export const keyVersionView: View<KeyProperties> = {
  json: propertiesJson,
  columns: [{ header: "Version", value: (p) => p.version }, ...listColumns.slice(1)],
};

const deletedFields = (key: DeletedKey) => ({
  recoveryId: key.properties.recoveryId,
  deletedOn: key.properties.deletedOn,
  scheduledPurgeDate: key.properties.scheduledPurgeDate,
});

export const deletedKeyView: View<DeletedKey> = {
  json: (key) => ({ ...(keyView.json(key) as object), ...deletedFields(key) }),
  columns: [
    { header: "Name", value: (k) => k.name },
    { header: "Deleted", value: (k) => k.properties.deletedOn },
    { header: "Scheduled purge", value: (k) => k.properties.scheduledPurgeDate },
    { header: "Recovery id", value: (k) => k.properties.recoveryId },
  ],
};

/** Lists of deleted keys carry no key material, only properties. */
export const deletedKeyListView: View<DeletedKey> = {
  json: (key) => ({ ...propertiesJson(key.properties), ...deletedFields(key) }),
  columns: deletedKeyView.columns,
};

export const rotationPolicyView: View<KeyRotationPolicy> = {
  json: (policy) => ({
    id: policy.id,
    expiresIn: policy.expiresIn ?? null,
    lifetimeActions: (policy.lifetimeActions ?? []).map((action) => ({
      action: action.action,
      timeAfterCreate: action.timeAfterCreate ?? null,
      timeBeforeExpiry: action.timeBeforeExpiry ?? null,
    })),
    createdOn: policy.createdOn ?? null,
    updatedOn: policy.updatedOn ?? null,
  }),
  columns: [
    { header: "Expires in", value: (p) => p.expiresIn },
    {
      header: "Lifetime actions",
      value: (p) =>
        (p.lifetimeActions ?? []).map((a) =>
          a.timeAfterCreate
            ? `${a.action} ${a.timeAfterCreate} after creation`
            : `${a.action} ${a.timeBeforeExpiry} before expiry`,
        ),
    },
    { header: "Created", value: (p) => p.createdOn },
    { header: "Updated", value: (p) => p.updatedOn },
    { header: "Id", value: (p) => p.id },
  ],
};

function tagsText(tags: Record<string, string> | undefined): string[] {
  return Object.entries(tags ?? {}).map(([key, value]) => `${key}=${value}`);
}
