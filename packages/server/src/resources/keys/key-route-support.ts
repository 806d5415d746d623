import type { FastifyRequest } from "fastify";
import { KEY_NAME_PATTERN, keyScope } from "../../platform/authorization/scope.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { type Page, type PageQuery, pageFromRows, pageQueryOf } from "../../platform/http/paging.js";
import { publicBaseUrl } from "../../platform/http/request-url.js";
import type { DeletedKeyService } from "./deleted-key-service.js";
import type { KeyBackupService } from "./key-backup-service.js";
import type { KeyCryptoService } from "./key-crypto-service.js";
import type { SoftDeleteSettings } from "./key-model.js";
import type { KeyAttestationService } from "./attestation/key-attestation-service.js";
import type { KeyPropertiesInput } from "./key-properties.js";
import type { KeyService } from "./key-service.js";

/** What the keys routes call. */
export interface KeyRouteServices {
  keys: KeyService;
  deletedKeys: DeletedKeyService;
  crypto: KeyCryptoService;
  backups: KeyBackupService;
  softDelete: SoftDeleteSettings;
  attestation: KeyAttestationService;
}

/** Key Vault's page size for key lists: 25 unless maxresults says fewer. */
export const MAX_KEY_PAGE = 25;

/**
 * The key name from the path, checked here because the RBAC scope is computed from it before
 * anything else runs: a malformed name is a 400, not a scope nobody could hold.
 */
export function keyNameOf(request: FastifyRequest): string {
  const name = (request.params as { keyName?: string }).keyName ?? "";
  if (!KEY_NAME_PATTERN.test(name)) {
    throw KeyVaultErrors.badParameter(
      `The key name '${name.slice(0, 130)}' is not valid: use 1 to 127 letters, digits and hyphens (^[0-9a-zA-Z-]+$).`,
    );
  }
  return name;
}

export const keyScopeOf = (request: FastifyRequest) => keyScope(keyNameOf(request));

/** The version from the path; undefined (latest) when the path had none or an empty one. */
export function versionOf(request: FastifyRequest): string | undefined {
  const version = (request.params as { keyVersion?: string }).keyVersion;
  return version ? version : undefined;
}

export const baseUrlOf = publicBaseUrl;

export function maxResultsOf(request: FastifyRequest): number {
  const raw = (request.query as Record<string, unknown>).maxresults;
  if (raw === undefined || raw === "") return MAX_KEY_PAGE;
  const value = typeof raw === "string" && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_KEY_PAGE)) {
    throw KeyVaultErrors.badParameter(`maxresults must be an integer from 1 to ${MAX_KEY_PAGE}.`);
  }
  return value;
}

/**
 * A page of a key list: `read` gets the page's query (the $skiptoken decoded, maxresults as the
 * size) and reads one item more than the size from the store, in the order `keyOf` names.
 */
export async function keyPage<T>(
  request: FastifyRequest,
  read: (query: PageQuery) => Promise<T[]>,
  keyOf: (item: T) => string,
): Promise<Page<T>> {
  const query = pageQueryOf(request, maxResultsOf(request));
  const rows = await read({ after: query.after, size: query.size + 1 });
  return keepMaxResults(pageFromRows(request, rows, keyOf, query.size), request);
}

/**
 * A key version's place in its list: creation time (fixed width, so the token compares as the
 * list is ordered), then the version id. Tokens of this form were issued before paging moved
 * into the database, and still work.
 */
export const versionOrderKey = (version: { attributes: { created: number }; version: string }) =>
  `${String(version.attributes.created).padStart(15, "0")}-${version.version}`;

export function parseVersionOrderKey(
  key: string | undefined,
): { created: number; version: string } | undefined {
  if (key === undefined) return undefined;
  const match = /^(\d{15})-([0-9A-Za-z]{1,64})$/.exec(key);
  if (!match) throw KeyVaultErrors.badParameter("The $skiptoken query parameter is not valid.");
  return { created: Number(match[1]), version: match[2] as string };
}

/** The nextLink keeps the page size the client asked for. */
function keepMaxResults<T>(page: Page<T>, request: FastifyRequest): Page<T> {
  const raw = (request.query as Record<string, unknown>).maxresults;
  if (!page.nextLink || typeof raw !== "string") return page;
  const url = new URL(page.nextLink);
  url.searchParams.set("maxresults", raw);
  return { ...page, nextLink: url.toString() };
}

/** Wire attributes and the rest of a create/import/update body, as the services take them. */
export interface WireKeyProperties {
  key_ops?: string[] | null;
  attributes?: {
    enabled?: boolean | null;
    nbf?: number | null;
    exp?: number | null;
    exportable?: boolean | null;
  } | null;
  tags?: Record<string, string> | null;
  release_policy?: unknown;
}

export function propertiesFromWire(body: WireKeyProperties): KeyPropertiesInput {
  const attributes = body.attributes ?? {};
  const properties: KeyPropertiesInput = {};
  if (body.key_ops !== undefined && body.key_ops !== null) properties.keyOps = body.key_ops;
  if (typeof attributes.enabled === "boolean") properties.enabled = attributes.enabled;
  if (attributes.nbf !== undefined) properties.notBefore = unixSecondsToMs(attributes.nbf, "attributes.nbf");
  if (attributes.exp !== undefined) properties.expires = unixSecondsToMs(attributes.exp, "attributes.exp");
  if (body.tags !== undefined && body.tags !== null) properties.tags = body.tags;
  if (typeof attributes.exportable === "boolean") properties.exportable = attributes.exportable;
  if (body.release_policy !== undefined) properties.releasePolicy = body.release_policy;
  return properties;
}

function unixSecondsToMs(value: number | null, field: string): number | null {
  if (value === null) return null;
  if (!Number.isSafeInteger(value) || value < 0 || value > 253402300799) {
    throw KeyVaultErrors.badParameter(`${field} must be a time in unix seconds.`);
  }
  return value * 1000;
}
