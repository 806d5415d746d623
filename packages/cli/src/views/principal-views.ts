import type { View } from "../output.js";

/** A service principal of the embedded identity provider, as /mhsm/principals answers. */
export interface PrincipalRow {
  objectId: string;
  clientId: string;
  displayName?: string;
  createdOn?: number;
}

export const principalView: View<PrincipalRow> = {
  json: (p) => p,
  columns: [
    { header: "Object id", value: (p) => p.objectId },
    { header: "Client id", value: (p) => p.clientId },
    { header: "Display name", value: (p) => p.displayName },
    { header: "Created", value: (p) => (p.createdOn ? new Date(p.createdOn * 1000) : undefined) },
  ],
};

/** What `principal create` prints once: everything a program needs to sign in. */
export interface CreatedPrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
}

export const createdPrincipalView: View<CreatedPrincipal> = {
  json: ({ tenantId, clientId, clientSecret, objectId }) => ({ tenantId, clientId, clientSecret, objectId }),
  columns: [
    { header: "Tenant id", value: (p) => p.tenantId },
    { header: "Client id", value: (p) => p.clientId },
    { header: "Client secret", value: (p) => p.clientSecret },
    { header: "Object id", value: (p) => p.objectId },
  ],
};
