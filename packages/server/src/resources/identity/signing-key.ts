import { generateKeyPairSync } from "node:crypto";
import { type JWK, calculateJwkThumbprint, exportJWK, importPKCS8 } from "jose";
import type { Barrier } from "../../platform/barrier/barrier.js";
import type { MetaRepository } from "../../platform/store/meta-repository.js";

export interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof importPKCS8>>;
  publicJwk: JWK;
}

/**
 * Sealed under the node key: the server signs tokens before it has a domain key. (Data
 * directories from before the node key kept it under "idp.signingKey", sealed under the domain
 * key; barrier/node-key-migration.ts moves it here.)
 */
export const SIGNING_KEY_META = "idp.signingKey.node";
const META_KEY = SIGNING_KEY_META;

/**
 * The identity provider's RS256 key: made on first start, kept sealed (by the node barrier) in
 * the store so a restart keeps issued tokens valid, and never written anywhere in plain text.
 */
export async function loadOrCreateSigningKey(meta: MetaRepository, barrier: Barrier): Promise<SigningKey> {
  let sealed = await meta.get(META_KEY);
  if (!sealed) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    // getOrInsert: if another node won the race, use its key.
    sealed = await meta.getOrInsert(META_KEY, barrier.seal(pem, META_KEY));
  }
  const pem = barrier.openString(sealed, META_KEY);
  const privateKey = await importPKCS8(pem, "RS256", { extractable: true });
  const full = await exportJWK(privateKey);
  const publicJwk: JWK = { kty: "RSA", n: full.n, e: full.e };
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, use: "sig", alg: "RS256" } };
}
