import { type KeyObject, X509Certificate, createPublicKey } from "node:crypto";
import { type JWTPayload, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { AuthorityKeySource, PublishedJwk } from "./authority-keys.js";
import { normalizeAuthority, sameAuthority } from "./release-policy.js";

/** An attestation token whose signature, issuer and lifetime checked out. */
export interface VerifiedAttestation {
  issuer: string;
  claims: JWTPayload;
}

/**
 * Signature algorithms an attestation token may use. Microsoft Azure Attestation signs RS256;
 * the RSA and ECDSA family is accepted. Never `none`, never an HMAC (an HS256 token "signed"
 * with the authority's public key is the classic forgery).
 */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"];
/** Clock skew tolerated on exp and nbf. */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AttestationTokenVerifierOptions {
  keys: AuthorityKeySource;
  /** Configured trusted authorities; empty: any authority a policy names. */
  trustedAuthorities: readonly string[];
  /** Authorities trusted besides the configured ones (the built-in test authority, when on). */
  alsoTrusted?: (authority: string) => boolean;
}

/**
 * Verifies a release's target attestation token against the authorities of the key's release
 * policy: the issuer must be one of them (and trusted by configuration), the signature must
 * check out with a key the authority publishes (OpenID metadata and JWKS, x5c or n/e), and
 * exp/nbf must hold. Nothing of the token is fetched from where the token says (jku, x5u).
 */
export class AttestationTokenVerifier {
  constructor(private readonly options: AttestationTokenVerifierOptions) {}

  async verify(token: string, policyAuthorities: readonly string[]): Promise<VerifiedAttestation> {
    const { header, payload } = decodeToken(token);
    const alg = typeof header.alg === "string" ? header.alg : "";
    if (!ALGORITHMS.includes(alg)) {
      throw badToken(
        `it is signed with '${alg.slice(0, 20) || "no algorithm"}'; attestation tokens must be signed with ${ALGORITHMS.join(", ")}`,
      );
    }
    const issuer = payload.iss;
    if (typeof issuer !== "string" || !issuer.startsWith("https://")) {
      throw badToken("it has no https issuer (iss)");
    }
    const authority = policyAuthorities.find((candidate) => sameAuthority(candidate, issuer));
    if (authority === undefined) {
      throw refused(
        `the token was issued by '${issuer.slice(0, 200)}', and the key's release policy names only ${policyAuthorities
          .map((a) => `'${a}'`)
          .join(", ")}`,
      );
    }
    if (!this.trusted(authority)) {
      throw refused(
        `the attestation authority '${authority}' is not one this HSM trusts (--attestation-authority: ${this.options.trustedAuthorities.join(", ")})`,
      );
    }
    const key = await this.signingKey(authority, header.kid, alg);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, key, {
        algorithms: [alg],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      throw badToken(verificationFailure(error));
    }
    return { issuer, claims };
  }

  private trusted(authority: string): boolean {
    const { trustedAuthorities, alsoTrusted } = this.options;
    if (alsoTrusted?.(authority)) return true;
    if (trustedAuthorities.length === 0) return true;
    const wanted = normalizeAuthority(authority);
    return trustedAuthorities.some((trusted) => normalizeAuthority(trusted) === wanted);
  }

  /** The authority's key the token names (by kid; the only key when neither names one). */
  private async signingKey(authority: string, kid: unknown, alg: string): Promise<KeyObject> {
    const pick = (keys: PublishedJwk[]) =>
      typeof kid === "string" ? keys.find((k) => k.kid === kid) : keys.length === 1 ? keys[0] : undefined;
    let found = pick(await this.options.keys.keysOf(authority, false));
    // A kid the cached keys lack: the authority may have rolled its keys since.
    found ??= pick(await this.options.keys.keysOf(authority, true));
    if (!found) {
      throw badToken(
        typeof kid === "string"
          ? `its signing key '${kid.slice(0, 80)}' is not among the keys '${authority}' publishes`
          : "it names no signing key (kid) and the authority publishes more than one",
      );
    }
    try {
      const key = found.x5c?.[0]
        ? new X509Certificate(Buffer.from(found.x5c[0], "base64")).publicKey
        : createPublicKey({ key: found as import("node:crypto").JsonWebKey, format: "jwk" });
      const family = alg.startsWith("ES") ? "ec" : "rsa";
      if (key.asymmetricKeyType !== family) throw new Error("key type does not fit the algorithm");
      return key;
    } catch {
      throw badToken(`the authority's key '${String(found.kid ?? "")}' cannot check a ${alg} signature`);
    }
  }
}

function decodeToken(token: string) {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    throw badToken("it is not a JSON web token (three base64url parts separated by dots)");
  }
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
  } catch {
    throw badToken("its header or claims are not base64url JSON");
  }
}

function verificationFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_JWT_EXPIRED") return "it has expired (exp)";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    const claim = (error as { claim?: string }).claim;
    if (claim === "nbf") return "it is not valid yet (nbf)";
    if (claim === "exp") return "it has no expiry (exp)";
    return `its '${claim}' claim is not valid`;
  }
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
    return "its signature does not verify with the authority's key";
  return "its signature or claims do not verify";
}

const badToken = (why: string) =>
  KeyVaultErrors.badParameter(
    `The target attestation token cannot be accepted: ${why}. No key material was released.`,
  );

const refused = (why: string) =>
  KeyVaultErrors.releaseRefused(`The key cannot be released: ${why}. No key material was released.`);
