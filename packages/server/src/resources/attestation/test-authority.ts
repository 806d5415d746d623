import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import type { Barrier } from "../../platform/barrier/barrier.js";
import type { MetaRepository } from "../../platform/store/meta-repository.js";
import type { AuthorityKeySource, PublishedJwk } from "../keys/release/authority-keys.js";

/**
 * FOR TESTS ONLY: a built-in attestation authority, off unless --test-attestation-authority is
 * given. It answers like a Microsoft Azure Attestation instance (OpenID metadata, a JWKS) and
 * like the service the Azure SDKs' release tests call (GET generate-test-token; Azure/
 * azure-sdk-tools tools/keyvault-mock-attestation), and mints tokens with whatever claims and
 * runtime key a caller asks for. Anyone who can reach it can make a key's release policy come
 * true: it exists so developers can exercise secure key release without Azure.
 *
 * Its issuer is https://<host the client used>/test-attestation/. The HSM checks its tokens
 * with its key directly (as an AuthorityKeySource for authorities at that path), not by
 * fetching its own metadata over HTTPS: the HTTPS rule for real authorities stays as it is.
 */
export const TEST_AUTHORITY_PATH = "/test-attestation";
export const TEST_AUTHORITY_META = "attestation.testAuthority";
const KID = "mhsm-test-attestation";
const TOKEN_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/** Whether an authority URL is the test authority's (on any host: the issuer follows the Host). */
export function isTestAuthority(authority: string): boolean {
  try {
    return new URL(authority).pathname.replace(/\/+$/, "") === TEST_AUTHORITY_PATH;
  } catch {
    return false;
  }
}

export class TestAttestationAuthority implements AuthorityKeySource {
  #key: Promise<KeyObject> | undefined;

  constructor(
    private readonly meta: MetaRepository,
    private readonly barrier: Barrier,
    private readonly clock: () => number = Date.now,
  ) {}

  issuer(baseUrl: string): string {
    return `${baseUrl}${TEST_AUTHORITY_PATH}/`;
  }

  metadata(baseUrl: string) {
    return {
      issuer: this.issuer(baseUrl),
      jwks_uri: `${baseUrl}${TEST_AUTHORITY_PATH}/certs`,
      id_token_signing_alg_values_supported: ["RS256"],
      claims_supported: ["iss", "iat", "nbf", "exp", "x-ms-runtime", "sdk-test"],
    };
  }

  async jwks(): Promise<{ keys: PublishedJwk[] }> {
    return { keys: [await this.publicJwk()] };
  }

  async keysOf(): Promise<PublishedJwk[]> {
    return (await this.jwks()).keys;
  }

  /** A token like the SDK test service's: claim sdk-test true and a throw-away runtime key. */
  async generateTestToken(baseUrl: string): Promise<string> {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const runtime = { ...publicKey.export({ format: "jwk" }), kid: "fake-release-key", use: "enc" };
    return this.mint(baseUrl, { "sdk-test": true, "x-ms-inittime": {}, "x-ms-runtime": { keys: [runtime] } });
  }

  /**
   * A token with the given claims over the defaults (iat, nbf, exp a week on); iss is always
   * this authority. With `runtimeKey` (an RSA public key), x-ms-runtime.keys holds it.
   */
  async mint(baseUrl: string, claims: Record<string, unknown>, runtimeKey?: KeyObject, runtimeKid?: string) {
    const now = Math.floor(this.clock() / 1000);
    const payload: Record<string, unknown> = {
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      ...claims,
    };
    if (runtimeKey) {
      const jwk = runtimeKey.export({ format: "jwk" });
      payload["x-ms-runtime"] = {
        ...(typeof claims["x-ms-runtime"] === "object" ? (claims["x-ms-runtime"] as object) : {}),
        keys: [{ kty: "RSA", n: jwk.n, e: jwk.e, kid: runtimeKid ?? "runtime-key", key_ops: ["encrypt"] }],
      };
    }
    payload.iss = this.issuer(baseUrl);
    const header = { alg: "RS256", typ: "JWT", kid: KID, jku: `${baseUrl}${TEST_AUTHORITY_PATH}/certs` };
    const input = `${part(header)}.${part(payload)}`;
    const signature = sign("sha256", Buffer.from(input, "ascii"), await this.key());
    return `${input}.${signature.toString("base64url")}`;
  }

  private async publicJwk(): Promise<PublishedJwk> {
    const jwk = createPublicKey(await this.key()).export({ format: "jwk" });
    return { kty: "RSA", kid: KID, use: "sig", alg: "RS256", n: jwk.n as string, e: jwk.e as string };
  }

  /** Made once and kept sealed in the store, so every node of a multi-node HSM signs alike. */
  private key(): Promise<KeyObject> {
    this.#key ??= (async () => {
      let sealed = await this.meta.get(TEST_AUTHORITY_META);
      if (!sealed) {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
        sealed = await this.meta.getOrInsert(
          TEST_AUTHORITY_META,
          this.barrier.seal(pem, TEST_AUTHORITY_META),
        );
      }
      return createPrivateKey(this.barrier.openString(sealed, TEST_AUTHORITY_META));
    })().catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
