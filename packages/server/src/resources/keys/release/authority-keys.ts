import { get } from "node:https";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import { normalizeAuthority } from "./release-policy.js";

/** A JSON web key of an authority's JWKS, as published (x5c and/or n, e). */
export interface PublishedJwk {
  kty?: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
  x5c?: string[];
}

/** Where the signing keys of an attestation authority come from. */
export interface AuthorityKeySource {
  /** The authority's published keys; `fresh` asks past the cache (a kid it did not have). */
  keysOf(authority: string, fresh: boolean): Promise<PublishedJwk[]>;
}

const MAX_DOCUMENT_BYTES = 512 * 1024;
/** How long fetched keys are reused; MAA rotates its signing keys far less often. */
const CACHE_MS = 10 * 60 * 1000;
/** A kid the cache lacks refetches at most this often per authority (an attacker's made-up kids cost one fetch). */
const REFRESH_MIN_MS = 30 * 1000;
const MAX_AUTHORITIES = 100;

/**
 * An authority's keys over HTTPS, the way Microsoft Azure Attestation publishes them:
 * `<authority>/.well-known/openid-configuration` names `jwks_uri`, which holds the keys. Only
 * HTTPS, with the process's CA trust (node's default: its bundled roots plus
 * NODE_EXTRA_CA_CERTS); redirects are not followed; each fetch has a deadline and a size limit;
 * answers are cached per authority. The token's own `jku` header is never followed: the keys
 * come from the authority the key's policy names, not from where the token says.
 */
export class HttpsAuthorityKeys implements AuthorityKeySource {
  readonly #cache = new Map<string, { keys: PublishedJwk[]; fetchedAt: number }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async keysOf(authority: string, fresh: boolean): Promise<PublishedJwk[]> {
    const key = normalizeAuthority(authority);
    const cached = this.#cache.get(key);
    const age = cached ? this.clock() - cached.fetchedAt : Infinity;
    if (cached && age < CACHE_MS && (!fresh || age < REFRESH_MIN_MS)) return cached.keys;
    const base = authority.replace(/\/+$/, "");
    const metadata = await this.fetchJson(`${base}/.well-known/openid-configuration`, authority);
    const jwksUri = (metadata as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== "string" || !jwksUri.startsWith("https://")) {
      throw unreachable(authority, "its OpenID metadata has no https jwks_uri");
    }
    const jwks = (await this.fetchJson(jwksUri, authority)) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) throw unreachable(authority, "its JWKS has no keys array");
    const keys = jwks.keys.filter((k): k is PublishedJwk => typeof k === "object" && k !== null);
    if (this.#cache.size >= MAX_AUTHORITIES && !this.#cache.has(key)) {
      this.#cache.delete(this.#cache.keys().next().value as string);
    }
    this.#cache.set(key, { keys, fetchedAt: this.clock() });
    return keys;
  }

  private fetchJson(url: string, authority: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!url.startsWith("https://")) {
        reject(unreachable(authority, "it is not an https URL"));
        return;
      }
      const request = get(
        url,
        { headers: { accept: "application/json" }, timeout: this.timeoutMs },
        (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            reject(unreachable(authority, `${url} answered HTTP ${response.statusCode}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_DOCUMENT_BYTES) {
              request.destroy();
              reject(unreachable(authority, `${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`));
            } else chunks.push(chunk);
          });
          response.on("end", () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
            } catch {
              reject(unreachable(authority, `${url} did not answer JSON`));
            }
          });
          response.on("error", (error) => reject(unreachable(authority, error.message)));
        },
      );
      request.on("timeout", () => {
        request.destroy();
        reject(unreachable(authority, `${url} did not answer within ${this.timeoutMs / 1000}s`));
      });
      request.on("error", (error) => reject(unreachable(authority, `${url}: ${error.message}`)));
    });
  }
}

const unreachable = (authority: string, why: string) =>
  KeyVaultErrors.badParameter(
    `The attestation authority '${authority}' could not give its signing keys (${why}), so the token cannot be verified. No key material was released.`,
  );
