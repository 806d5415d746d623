import assert from "node:assert/strict";
import { generateKeyPair, exportJWK, SignJWT } from "jose";
import { describe, it } from "node:test";
import { CachingTokenVerifier } from "./caching-token-verifier.js";
import { TokenRejectedError, TokenVerifier } from "./token-verifier.js";

const ISSUER = "https://issuer.test/tenant/v2.0";
const AUDIENCE = "https://managedhsm.azure.net";

async function issuerWithToken(expiresInSeconds: number) {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1" };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ oid: "00000000-0000-0000-0000-000000000001", tid: "t" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(privateKey);
  return { trusted: TokenVerifier.embeddedIssuer(ISSUER, jwk, [AUDIENCE]), token };
}

describe("CachingTokenVerifier", () => {
  it("answers a verified token from the cache until maxAge, then verifies it again", async () => {
    const { trusted, token } = await issuerWithToken(3600);
    let now = Date.now();
    const verifier = new CachingTokenVerifier([trusted], 1000, 10, () => now);
    let verifications = 0;
    const original = TokenVerifier.prototype.verify;
    TokenVerifier.prototype.verify = function (this: TokenVerifier, t: string) {
      verifications++;
      return original.call(this, t);
    };
    try {
      const first = await verifier.verify(token);
      assert.equal(first.objectId, "00000000-0000-0000-0000-000000000001");
      await verifier.verify(token);
      assert.equal(verifications, 1, "the second check came from the cache");
      now += 1001;
      await verifier.verify(token);
      assert.equal(verifications, 2, "past maxAge it is verified again");
    } finally {
      TokenVerifier.prototype.verify = original;
    }
  });

  it("never caches a refusal, and trusting an issuer empties the cache", async () => {
    const { trusted, token } = await issuerWithToken(3600);
    const verifier = new CachingTokenVerifier([]);
    await assert.rejects(verifier.verify(token), TokenRejectedError);
    verifier.trust(trusted);
    assert.ok(await verifier.verify(token));
    const tampered = `${token.slice(0, -4)}AAAA`;
    await assert.rejects(verifier.verify(tampered), TokenRejectedError);
    await assert.rejects(verifier.verify(tampered), TokenRejectedError);
  });

  it("asks the issuer's admits check at every use, cached or not", async () => {
    const { trusted, token } = await issuerWithToken(3600);
    let admitted = true;
    const verifier = new CachingTokenVerifier([{ ...trusted, admits: () => admitted }]);
    assert.ok(await verifier.verify(token));
    admitted = false;
    await assert.rejects(verifier.verify(token), /principal does not exist/);
    admitted = true;
    assert.ok(await verifier.verify(token));
  });

  it("keeps an entry no longer than the token's own expiry", async () => {
    const { trusted, token } = await issuerWithToken(30);
    let now = Date.now();
    const verifier = new CachingTokenVerifier([trusted], 10 * 60_000, 10, () => now);
    await verifier.verify(token);
    now += 31_000;
    // Past exp the cache does not answer; the base verifier decides (with its clock tolerance).
    const cache = (verifier as unknown as { cache: Map<string, { until: number }> }).cache;
    assert.ok((cache.get(token)?.until ?? 0) <= now);
  });
});
