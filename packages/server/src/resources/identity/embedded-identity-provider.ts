import type { TrustedIssuer } from "../../platform/auth/token-verifier.js";
import { TokenVerifier } from "../../platform/auth/token-verifier.js";
import type { StoredPrincipal } from "./principal-repository.js";
import type { PrincipalService } from "./principal-service.js";
import type { SigningKey } from "./signing-key.js";
import { type IssuedToken, TokenIssuer } from "./token-issuer.js";
import { TokenThrottle, type TokenThrottleLimits } from "./token-throttle.js";

/**
 * The embedded, Entra-compatible identity provider: one tenant, service principals with client
 * secrets, the client-credentials grant. It lives at the server's own URL, so its authority is
 * https://<server>/<tenantId> and MSAL-based credentials (ClientSecretCredential with
 * authorityHost = the server, instance discovery off) use it unchanged. It also answers as the AD
 * FS authority https://<server>/adfs, which MSAL never sends to instance discovery: with that,
 * DefaultAzureCredential works from environment variables alone.
 */
export class EmbeddedIdentityProvider {
  #baseUrl: string | undefined;
  #issuer: TokenIssuer | undefined;
  /** Limits failed client-credentials attempts at the token endpoint. */
  readonly throttle: TokenThrottle;

  constructor(
    readonly tenantId: string,
    private readonly signingKey: SigningKey,
    readonly principals: PrincipalService,
    private readonly resource: string,
    private readonly lifetimeSeconds: number,
    throttleLimits: TokenThrottleLimits,
  ) {
    this.throttle = new TokenThrottle(throttleLimits);
  }

  /** Called once the server knows its URL (after listen: the port may have been 0). */
  attach(baseUrl: string): TrustedIssuer {
    this.#baseUrl = baseUrl;
    this.#issuer = new TokenIssuer(this.signingKey, this.issuer, this.tenantId, this.lifetimeSeconds);
    const trusted = TokenVerifier.embeddedIssuer(
      this.issuer,
      this.signingKey.publicJwk,
      audiencesFor(this.resource),
    );
    // A token outlives nothing it names: once its principal is deleted it is refused.
    trusted.admits = (caller) => this.principals.live.admits(caller.objectId, caller.issuedAt);
    return trusted;
  }

  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error("identity provider used before the server listened");
    return this.#baseUrl;
  }
  get authority(): string {
    return `${this.baseUrl}/${this.tenantId}`;
  }
  get issuer(): string {
    return `${this.authority}/v2.0`;
  }
  get tokenEndpoint(): string {
    return `${this.authority}/oauth2/v2.0/token`;
  }
  get jwksUri(): string {
    return `${this.authority}/discovery/v2.0/keys`;
  }
  /** The same provider as an AD FS authority (tenant "adfs"), for DefaultAzureCredential. */
  get adfsAuthority(): string {
    return `${this.baseUrl}/adfs`;
  }
  get adfsTokenEndpoint(): string {
    return `${this.adfsAuthority}/oauth2/token`;
  }
  get publicJwks() {
    return { keys: [this.signingKey.publicJwk] };
  }

  /** True when `scope` asks for this HSM's resource, as `<resource>/.default`. */
  acceptsScope(scope: string): boolean {
    return scope
      .split(" ")
      .some(
        (s) =>
          s.endsWith("/.default") && audiencesFor(this.resource).includes(s.slice(0, -"/.default".length)),
      );
  }

  issueFor(principal: StoredPrincipal): Promise<IssuedToken> {
    if (!this.#issuer) throw new Error("identity provider used before the server listened");
    return this.#issuer.issue(principal, this.resource);
  }
}

/** A resource is named with or without its trailing slash; tokens for either are accepted. */
export function audiencesFor(resource: string): string[] {
  const bare = resource.replace(/\/+$/, "");
  return [bare, `${bare}/`];
}
