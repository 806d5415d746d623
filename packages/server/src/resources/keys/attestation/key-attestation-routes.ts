import { DataAction } from "../../../platform/authorization/data-actions.js";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { RouteRegistry } from "../../../platform/http/route-registry.js";
import { type KeyRouteServices, baseUrlOf, keyNameOf, keyScopeOf, versionOf } from "../key-route-support.js";
import { toKeyBundle } from "../key-wire.js";

/**
 * The api-versions that have GetKeyAttestation: it came with 7.6-preview.2 and is in every
 * version since (Azure/azure-rest-api-specs#31354 and #31670; specs/2026-04-01/keys.json).
 */
const ATTESTATION_API_VERSIONS = new Set(["7.6-preview.2", "7.6", "2025-07-01", "2026-04-01"]);

/**
 * GET /keys/{name}/attestation (the latest version) and /keys/{name}/{version}/attestation: the
 * key bundle GetKey answers, with `attributes.attestation`. The spec asks for keys/get, which on
 * a Managed HSM is the keys/read data action, as for GetKey.
 */
export function registerKeyAttestationRoutes(routes: RouteRegistry, services: KeyRouteServices): void {
  const { keys, attestation, softDelete } = services;
  for (const prefix of ["/keys/:keyName", "/keys/:keyName/:keyVersion"]) {
    routes.authorized({
      method: "GET",
      url: `${prefix}/attestation`,
      operation: "GetKeyAttestation",
      dataAction: DataAction.KeysRead,
      scope: keyScopeOf,
      handler: async (request) => {
        const given = (request.query as Record<string, unknown>)["api-version"];
        // Checked already (supported, repeated only identically): the first value is the one.
        const apiVersion = String(Array.isArray(given) ? given[0] : given);
        if (!ATTESTATION_API_VERSIONS.has(apiVersion)) {
          throw KeyVaultErrors.operationNotInApiVersion("GetKeyAttestation", apiVersion, "7.6");
        }
        const found = await keys.get(keyNameOf(request), versionOf(request));
        const bundle = toKeyBundle(baseUrlOf(request), found.version, softDelete);
        const attested = await attestation.attest({
          kid: bundle.key.kid,
          key: found.version,
          exportable: bundle.attributes.exportable,
        });
        return { ...bundle, attributes: { ...bundle.attributes, attestation: attested } };
      },
    });
  }
}
