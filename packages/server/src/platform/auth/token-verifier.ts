import {
  type JWTPayload,
  type JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
} from "jose";
import type { JWK } from "jose";

/** Who is calling, as the token says. */
export interface CallerPrincipal {
  objectId: string;
  tenantId: string | undefined;
  appId: string | undefined;
  issuer: string;
  /** The token's `iat`, in seconds. */
  issuedAt: number;
}

export interface TrustedIssuer {
  issuer: string;
  keys: JWTVerifyGetKey;
  audiences: string[];
  algorithms: string[];
  /**
   * Asked on every use of a verified token (cached or not): false refuses it, as any invalid
   * token. The embedded identity provider answers whether the token's principal still exists;
   * external issuers have no such check.
   */
  admits?: (caller: CallerPrincipal) => boolean | Promise<boolean>;
}

/**
 * Why a token was refused: shown to the caller, so it says what, never how much. Its own class
 * because a refused token is answered with a challenge (401 Unauthorized with WWW-Authenticate,
 * the onRequest hook in http/app.ts), not through the error handler.
 */
export class TokenRejectedError extends Error {}

const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Verifies bearer tokens against the trusted issuers: signature (by a key of that issuer,
 * with an allowed algorithm: never `none`), issuer, audience, expiry and not-before.
 */
export class TokenVerifier {
  readonly #issuers = new Map<string, TrustedIssuer>();

  constructor(issuers: TrustedIssuer[]) {
    for (const issuer of issuers) this.trust(issuer);
  }

  trust(issuer: TrustedIssuer): void {
    this.#issuers.set(issuer.issuer, issuer);
  }

  static embeddedIssuer(issuer: string, publicJwk: JWK, audiences: string[]): TrustedIssuer {
    return { issuer, keys: createLocalJWKSet({ keys: [publicJwk] }), audiences, algorithms: ["RS256"] };
  }

  static remoteIssuer(issuer: string, jwksUri: string, audiences: string[]): TrustedIssuer {
    return {
      issuer,
      keys: createRemoteJWKSet(new URL(jwksUri)),
      audiences,
      algorithms: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
    };
  }

  async verify(token: string): Promise<CallerPrincipal> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejectedError("The bearer token is not a well-formed JWT.");
    }
    const trusted = typeof unverified.iss === "string" ? this.#issuers.get(unverified.iss) : undefined;
    if (!trusted) throw new TokenRejectedError("The bearer token's issuer is not trusted by this HSM.");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        audience: trusted.audiences,
        algorithms: trusted.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "iat"],
      }));
    } catch (error) {
      throw new TokenRejectedError(describeRejection(error));
    }
    const objectId = payload.oid;
    if (typeof objectId !== "string" || objectId.length === 0) {
      throw new TokenRejectedError("The bearer token has no 'oid' claim naming the caller.");
    }
    return this.admit({
      objectId: objectId.toLowerCase(),
      tenantId: typeof payload.tid === "string" ? payload.tid : undefined,
      appId: stringClaim(payload.appid) ?? stringClaim(payload.azp),
      issuer: trusted.issuer,
      issuedAt: Number(payload.iat),
    });
  }

  /** The issuer's `admits` check, which a verified token passes again at every use. */
  protected async admit(caller: CallerPrincipal): Promise<CallerPrincipal> {
    const admits = this.#issuers.get(caller.issuer)?.admits;
    if (admits && !(await admits(caller))) {
      throw new TokenRejectedError(
        "The bearer token's principal does not exist in this HSM's identity provider.",
      );
    }
    return caller;
  }
}

const stringClaim = (value: unknown) => (typeof value === "string" ? value : undefined);

function describeRejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The bearer token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "The bearer token's audience is not this HSM.";
    if (error.claim === "nbf") return "The bearer token is not valid yet.";
    if (error.claim === "iss") return "The bearer token's issuer is not trusted by this HSM.";
    return `The bearer token's '${error.claim}' claim is not acceptable.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return "The bearer token's signing algorithm is not allowed.";
  if (error instanceof errors.JWKSNoMatchingKey) return "The bearer token was signed by an unknown key.";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "The bearer token's signature is not valid.";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) {
    return "The bearer token could not be verified.";
  }
  return "The bearer token could not be verified.";
}
