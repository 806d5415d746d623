import {
  type JsonWebKey,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  randomBytes,
} from "node:crypto";
import { DomainError, badParameter } from "../errors.js";
import { decodeBase64Url } from "./base64url.js";
import { signPkcs1, verifyPkcs1 } from "./crypto/rsa-signature.js";
import { type KeyMaterial, NODE_JWK_CURVE } from "./key-material.js";
import type { CurveName, KeyType } from "./key-model.js";
import { RSA_KEY_SIZES, normalizeKeyType } from "./key-shapes.js";

/** The JWK members an import request may carry (base64url strings). */
export interface ImportedJwk {
  kty?: string;
  crv?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  x?: string;
  y?: string;
  k?: string;
  key_hsm?: string;
}

const CURVES: readonly CurveName[] = ["P-256", "P-256K", "P-384", "P-521"];

/**
 * Turns an imported JWK into key material, refusing what an HSM would: no private part, a
 * size or curve the HSM does not hold, members that do not belong together. Error messages
 * name the member, never its value.
 */
export function materialFromJwk(jwk: ImportedJwk): KeyMaterial {
  if (jwk.key_hsm !== undefined) {
    throw new DomainError(
      "NotImplemented",
      "NotImplemented",
      "Bring-your-own-key import (key_hsm) needs a vendor key-exchange key, which this HSM does not have; import the key as a plain JWK instead.",
    );
  }
  const kty = normalizeKeyType(jwk.kty, "key.kty");
  switch (kty) {
    case "RSA-HSM":
      return importRsa(jwk);
    case "EC-HSM":
      return importEc(jwk);
    case "oct-HSM":
      return importOct(jwk);
  }
}

function importRsa(jwk: ImportedJwk): KeyMaterial {
  const members = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;
  requirePrivate(jwk, "RSA-HSM", members);
  const privateKey = asKey(
    () => createPrivateKey({ key: nodeJwk("RSA", jwk, members), format: "jwk" }),
    "RSA",
  );
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (!RSA_KEY_SIZES.includes(bits)) {
    throw badParameter(`The RSA key has ${bits} bits; an HSM key has ${RSA_KEY_SIZES.join(", ")} bits.`);
  }
  // The public key is the one the JWK states; a pairwise test shows the private members match it.
  const publicKey = asKey(
    () => createPublicKey({ key: nodeJwk("RSA", jwk, ["n", "e"]), format: "jwk" }),
    "RSA",
  );
  const digest = randomBytes(32);
  if (!verifyPkcs1(publicKey, "sha256", digest, signPkcs1(privateKey, "sha256", digest))) {
    throw badParameter("The RSA key's private members do not match its public members (n, e).");
  }
  return { kty: "RSA-HSM", privateKey, publicKey };
}

function importEc(jwk: ImportedJwk): KeyMaterial {
  const curve = jwk.crv as CurveName;
  if (!CURVES.includes(curve)) {
    throw badParameter(`The EC key's curve (crv) must be one of ${CURVES.join(", ")}.`);
  }
  const members = ["x", "y", "d"] as const;
  requirePrivate(jwk, "EC-HSM", members);
  // node:crypto checks that x and y are the public point of d, and refuses the key otherwise.
  const privateKey = asKey(
    () =>
      createPrivateKey({
        key: { ...nodeJwk("EC", jwk, members), crv: NODE_JWK_CURVE[curve] },
        format: "jwk",
      }),
    "EC",
  );
  return { kty: "EC-HSM", curve, privateKey, publicKey: createPublicKey(privateKey) };
}

function importOct(jwk: ImportedJwk): KeyMaterial {
  requirePrivate(jwk, "oct-HSM", ["k"]);
  const bytes = decodeBase64Url(jwk.k as string, "key.k");
  if (![16, 24, 32].includes(bytes.length)) {
    throw badParameter(`The oct key has ${bytes.length * 8} bits; an AES key has 128, 192 or 256 bits.`);
  }
  return { kty: "oct-HSM", secret: createSecretKey(bytes) };
}

function requirePrivate(jwk: ImportedJwk, kty: KeyType, members: readonly (keyof ImportedJwk)[]): void {
  const missing = members.filter((member) => typeof jwk[member] !== "string" || jwk[member] === "");
  if (missing.length > 0) {
    throw badParameter(
      `An ${kty} key to import needs its private part: the JWK lacks ${missing.map((m) => `'${m}'`).join(", ")}.`,
    );
  }
}

function nodeJwk(kty: string, jwk: ImportedJwk, members: readonly (keyof ImportedJwk)[]): JsonWebKey {
  const result: JsonWebKey = { kty };
  for (const member of members) {
    // Decoding first turns bad base64url into a 400 that names the member.
    result[member] = decodeBase64Url(jwk[member] as string, `key.${member}`).toString("base64url");
  }
  return result;
}

function asKey<T>(make: () => T, kind: string): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw badParameter(`The JWK is not a valid ${kind} key: its members do not form a key.`);
  }
}
