import assert from "node:assert/strict";
import {
  type KeyObject,
  X509Certificate,
  constants,
  createDecipheriv,
  createVerify,
  privateDecrypt,
} from "node:crypto";

/**
 * The client side of a secure key release, written from the SKR clients' description and not
 * from the server's code (microsoft/confidential-sidecar-containers pkg/skr/akv.go: verify the
 * JWS with the certificate in x5c[0]; read payload.response.key.key.key_hsm, base64url JSON;
 * its ciphertext is the runtime key's RSA-OAEP encryption of an AES key (the first
 * modulus-length bytes), then the released key under RFC 5649 with that AES key; the OAEP hash
 * follows payload.request.enc). Only node:crypto.
 */
export interface ReleasedKey {
  header: Record<string, unknown>;
  payload: {
    request: Record<string, unknown>;
    response: {
      key: {
        attributes: Record<string, unknown>;
        key: Record<string, unknown>;
        release_policy?: Record<string, unknown>;
      };
    };
  };
  keyHsm: { ciphertext: string; header: Record<string, unknown>; schema_version: string };
  /** The released key: PKCS#8 DER for RSA/EC, raw bytes for oct. */
  material: Buffer;
}

const OAEP_HASH: Record<string, string> = {
  CKM_RSA_AES_KEY_WRAP: "sha1",
  RSA_AES_KEY_WRAP_256: "sha256",
  RSA_AES_KEY_WRAP_384: "sha384",
};

export function openRelease(jws: string, runtimePrivateKey: KeyObject): ReleasedKey {
  const [h, p, s] = jws.split(".");
  assert.ok(h && p && s, "a compact JWS");
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as Record<string, unknown>;
  assert.equal(header.alg, "RS256");
  const x5c = header.x5c as string[];
  assert.ok(Array.isArray(x5c) && x5c.length >= 1, "x5c in the header");
  const certificate = new X509Certificate(Buffer.from(x5c[0] as string, "base64"));
  const verifier = createVerify("sha256");
  verifier.update(`${h}.${p}`);
  assert.ok(
    verifier.verify(certificate.publicKey, Buffer.from(s, "base64url")),
    "the JWS signature verifies with x5c[0]",
  );
  const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as ReleasedKey["payload"];
  const keyHsm = JSON.parse(
    Buffer.from(payload.response.key.key.key_hsm as string, "base64url").toString("utf8"),
  ) as ReleasedKey["keyHsm"];
  const ciphertext = Buffer.from(keyHsm.ciphertext, "base64url");
  const modulusBytes = (runtimePrivateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const hash = OAEP_HASH[payload.request.enc as string];
  assert.ok(hash, `known enc ${String(payload.request.enc)}`);
  const aesKey = privateDecrypt(
    { key: runtimePrivateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    ciphertext.subarray(0, modulusBytes),
  );
  assert.equal(aesKey.length, 32, "an AES-256 key");
  const decipher = createDecipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("A65959A6", "hex"));
  const material = Buffer.concat([decipher.update(ciphertext.subarray(modulusBytes)), decipher.final()]);
  return { header, payload, keyHsm, material };
}
