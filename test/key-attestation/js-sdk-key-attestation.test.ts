import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type KeyVaultKey } from "@azure/keyvault-keys";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import {
  jwsPart,
  opensslSpkiSha256,
  opensslVerifiesChain,
  opensslVerifiesJws,
  pemCertificates,
} from "./support/attestation-openssl.js";

/**
 * GetKeyAttestation through the official JS SDK (@azure/keyvault-keys 4.10.2, unchanged), each
 * answer checked by OpenSSL: the certificate chain, the JWS signature of every blob, and that
 * the attested public key hash is the hash of the key the SDK returned.
 */
describe("key attestation: the JS SDK's getKeyAttestation, checked with OpenSSL", () => {
  let fx: KeysFixture;

  before(async () => {
    fx = await startKeysServer();
  });
  after(() => fx?.dispose());

  const blobText = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("utf8");

  /** Checks one attested key with OpenSSL; returns the private-portion claims. */
  function checkWithOpenssl(attested: KeyVaultKey): Record<string, unknown> {
    const attestation = attested.properties.attestation;
    assert.ok(attestation, "attributes.attestation is present");
    assert.equal(attestation.version, "mhsm-jws-1.0");
    const [leaf, root, ...rest] = pemCertificates(attestation.certificatePemFile as Uint8Array);
    assert.ok(leaf && root, "certificatePemFile holds the attestation certificate and the root");
    assert.equal(rest.length, 0);
    assert.ok(
      opensslVerifiesChain(leaf, root),
      "openssl verify: the attestation certificate chains to the root",
    );
    const privateBlob = blobText(attestation.privateKeyAttestation);
    assert.ok(
      opensslVerifiesJws(privateBlob, leaf),
      "openssl dgst -verify: the private-portion blob's signature",
    );
    const header = jwsPart(privateBlob, 0);
    assert.equal(header.alg, "RS256");
    assert.deepEqual(
      header.x5c,
      [leaf, root].map((pem) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")),
      "x5c is the certificatePemFile chain",
    );
    const claims = jwsPart(privateBlob, 1);
    assert.equal(claims.portion, "private");
    assert.equal(claims.kid, attested.key?.kid);
    assert.equal(claims.kty, attested.keyType);
    assert.equal(claims.exportable, false);
    assert.equal(claims.created, Math.floor((attested.properties.createdOn as Date).getTime() / 1000));
    if (attested.keyType === "oct-HSM") {
      assert.equal(attestation.publicKeyAttestation, undefined, "a symmetric key has no public-portion blob");
      assert.equal(claims.publicKeySha256, undefined);
    } else {
      const publicBlob = blobText(attestation.publicKeyAttestation);
      assert.ok(
        opensslVerifiesJws(publicBlob, leaf),
        "openssl dgst -verify: the public-portion blob's signature",
      );
      const publicClaims = jwsPart(publicBlob, 1);
      assert.equal(publicClaims.portion, "public");
      assert.equal(publicClaims.kid, claims.kid);
      const expected = opensslSpkiSha256(attested.key as never);
      assert.equal(claims.publicKeySha256, expected, "the private blob states the SDK's key's SPKI hash");
      assert.equal(
        publicClaims.publicKeySha256,
        expected,
        "the public blob states the SDK's key's SPKI hash",
      );
    }
    return claims;
  }

  it("RSA: the latest version and a specific version, each attested for itself", async () => {
    const first = await fx.keyClient.createRsaKey("attest-rsa", { keySize: 2048 });
    const second = await fx.keyClient.rotateKey("attest-rsa");
    const latest = await fx.keyClient.getKeyAttestation("attest-rsa");
    assert.equal(latest.key?.kid, second.key?.kid, "no version: the latest");
    const latestClaims = checkWithOpenssl(latest);
    assert.equal(latestClaims.keySize, 2048);
    assert.equal(latestClaims.origin, "generated", "a rotation makes the new version inside the HSM");

    const older = await fx.keyClient.getKeyAttestation("attest-rsa", { version: first.properties.version });
    assert.equal(older.key?.kid, first.key?.kid);
    const olderClaims = checkWithOpenssl(older);
    assert.notEqual(olderClaims.publicKeySha256, latestClaims.publicKeySha256, "each version its own key");
  });

  it("EC keys on each curve", async () => {
    for (const curve of ["P-256", "P-256K", "P-384", "P-521"] as const) {
      const name = `attest-ec-${curve.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
      await fx.keyClient.createEcKey(name, { curve });
      const claims = checkWithOpenssl(await fx.keyClient.getKeyAttestation(name));
      assert.equal(claims.crv, curve);
      assert.equal(claims.origin, "generated");
    }
  });

  it("oct: only the private-portion blob, and no public key hash", async () => {
    await fx.keyClient.createOctKey("attest-aes", { keySize: 256 });
    const claims = checkWithOpenssl(await fx.keyClient.getKeyAttestation("attest-aes"));
    assert.equal(claims.keySize, 256);
    assert.equal(claims.origin, "generated");
  });

  it("an imported key says imported, and keeps it through backup, purge and restore", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const bytes = (value?: string) => Buffer.from(value ?? "", "base64url");
    await fx.keyClient.importKey("attest-imported", {
      kty: "RSA",
      n: bytes(jwk.n),
      e: bytes(jwk.e),
      d: bytes(jwk.d),
      p: bytes(jwk.p),
      q: bytes(jwk.q),
      dp: bytes(jwk.dp),
      dq: bytes(jwk.dq),
      qi: bytes(jwk.qi),
    });
    const before = checkWithOpenssl(await fx.keyClient.getKeyAttestation("attest-imported"));
    assert.equal(before.origin, "imported");

    const backup = await fx.keyClient.backupKey("attest-imported");
    assert.ok(backup);
    await (await fx.keyClient.beginDeleteKey("attest-imported")).pollUntilDone();
    await fx.keyClient.purgeDeletedKey("attest-imported");
    await fx.keyClient.restoreKeyBackup(backup);
    const after = checkWithOpenssl(await fx.keyClient.getKeyAttestation("attest-imported"));
    assert.equal(after.origin, "imported", "a restored key keeps the origin it had");
    assert.equal(after.kid, before.kid);
    assert.equal(after.publicKeySha256, before.publicKeySha256);

    // And a generated key restored says generated.
    await fx.keyClient.createEcKey("attest-generated-restored", { curve: "P-256" });
    const generatedBackup = await fx.keyClient.backupKey("attest-generated-restored");
    await (await fx.keyClient.beginDeleteKey("attest-generated-restored")).pollUntilDone();
    await fx.keyClient.purgeDeletedKey("attest-generated-restored");
    await fx.keyClient.restoreKeyBackup(generatedBackup as Uint8Array);
    const restored = checkWithOpenssl(await fx.keyClient.getKeyAttestation("attest-generated-restored"));
    assert.equal(restored.origin, "generated");
  });

  it("every key is attested by the same HSM identity", async () => {
    await fx.keyClient.createEcKey("attest-same-a", { curve: "P-256" });
    await fx.keyClient.createOctKey("attest-same-b", { keySize: 128 });
    const a = await fx.keyClient.getKeyAttestation("attest-same-a");
    const b = await fx.keyClient.getKeyAttestation("attest-same-b");
    assert.deepEqual(
      pemCertificates(a.properties.attestation?.certificatePemFile as Uint8Array),
      pemCertificates(b.properties.attestation?.certificatePemFile as Uint8Array),
    );
  });
});
