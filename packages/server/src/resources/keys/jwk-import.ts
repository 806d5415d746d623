import {
  type JsonWebKey,
  checkPrime as checkPrimeCallback,
  createECDH,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { promisify } from "node:util";
import { DomainError } from "../../platform/errors/domain-error.js";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { decodeBase64Url } from "./base64url.js";
import { curveParameters } from "./crypto/ec-signature.js";
import { signPkcs1, verifyPkcs1 } from "./crypto/rsa-signature.js";
import { NODE_JWK_CURVE, type SoftwareKeyMaterial as KeyMaterial } from "./key-material.js";
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

const checkPrime = promisify(checkPrimeCallback) as (candidate: Buffer) => Promise<boolean>;

const CURVES: readonly CurveName[] = ["P-256", "P-256K", "P-384", "P-521"];

/**
 * Turns an imported JWK into key material, refusing what an HSM would: no private part, a
 * size or curve the HSM does not hold, members that do not belong together. Error messages
 * name the member, never its value.
 */
export async function materialFromJwk(jwk: ImportedJwk): Promise<KeyMaterial> {
  if (jwk.key_hsm !== undefined) {
    throw KeyVaultErrors.byokImportUnavailable();
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

/**
 * An RSA key is imported only when its members are one key: n = p·q with p and q prime, e odd
 * and above 1, e·d ≡ 1 (mod λ(n)), dp = d mod (p−1), dq = d mod (q−1), qi·q ≡ 1 (mod p). A
 * pairwise sign/verify test alone is not enough: OpenSSL signs with p, q, dp, dq and qi (CRT),
 * so a wrong d (or wrong members that CRT does not use) would pass it and be stored.
 *
 * This arithmetic runs in BigInt, which is not constant-time; it runs once, on values the
 * caller has just sent, so its timing tells nobody anything they do not already hold.
 */
async function importRsa(jwk: ImportedJwk): Promise<KeyMaterial> {
  const members = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;
  requirePrivate(jwk, "RSA-HSM", members);
  const value = Object.fromEntries(
    members.map((member) => [member, bytesToBigInt(decodeBase64Url(jwk[member] as string, `key.${member}`))]),
  ) as Record<(typeof members)[number], bigint>;
  const { n, e, d, p, q, dp, dq, qi } = value;
  const bits = n.toString(2).length;
  if (!RSA_KEY_SIZES.includes(bits)) {
    throw KeyVaultErrors.badParameter(
      `The RSA key has ${bits} bits; an HSM key has ${RSA_KEY_SIZES.join(", ")} bits.`,
    );
  }
  if (n % 2n === 0n)
    throw KeyVaultErrors.badParameter("The RSA key's modulus (n) is even; an RSA modulus is odd.");
  if (e <= 1n || e % 2n === 0n || e >= n) {
    throw KeyVaultErrors.badParameter(
      "The RSA key's public exponent (e) must be odd, greater than 1 and less than n.",
    );
  }
  const mismatch = (what: string) =>
    KeyVaultErrors.badParameter(
      `The RSA key's private members do not match its public members (n, e): ${what}.`,
    );
  if (p <= 1n || q <= 1n || p * q !== n) throw mismatch("p·q is not n");
  // Primality tests take OpenSSL a while for large primes: on the thread pool, not the event loop.
  const [pIsPrime, qIsPrime] = await Promise.all([checkPrime(toBytes(p)), checkPrime(toBytes(q))]);
  if (p === q || !pIsPrime || !qIsPrime) {
    throw mismatch("p and q are not two distinct primes");
  }
  const lambda = lcm(p - 1n, q - 1n);
  if (d <= 0n || d >= n || (e * d) % lambda !== 1n) throw mismatch("d is not an inverse of e");
  if (dp !== d % (p - 1n)) throw mismatch("dp is not d mod (p-1)");
  if (dq !== d % (q - 1n)) throw mismatch("dq is not d mod (q-1)");
  if (qi <= 0n || qi >= p || (qi * q) % p !== 1n) throw mismatch("qi is not the inverse of q mod p");
  const privateKey = asKey(
    () => createPrivateKey({ key: nodeJwk("RSA", jwk, members), format: "jwk" }),
    "RSA",
  );
  const publicKey = createPublicKey(privateKey);
  // A pairwise consistency test on top, as an HSM runs one on every key it takes in.
  const digest = randomBytes(32);
  if (!verifyPkcs1(publicKey, "sha256", digest, signPkcs1(privateKey, "sha256", digest))) {
    throw mismatch("a signature made with them does not verify");
  }
  return { kty: "RSA-HSM", privateKey, publicKey };
}

/**
 * An EC key is imported only when d is a scalar of the curve (1 ≤ d < n) and d·G, computed by
 * OpenSSL, is the point (x, y) the JWK states. node:crypto's JWK import does not check this: it
 * takes any d with any point (d = 1 beside another key's x and y), and the key would then sign
 * with one key and publish another.
 */
function importEc(jwk: ImportedJwk): KeyMaterial {
  const curve = jwk.crv as CurveName;
  if (!CURVES.includes(curve)) {
    throw KeyVaultErrors.badParameter(`The EC key's curve (crv) must be one of ${CURVES.join(", ")}.`);
  }
  const members = ["x", "y", "d"] as const;
  requirePrivate(jwk, "EC-HSM", members);
  const { opensslName, n, bytes } = curveParameters(curve);
  // RFC 7518 says x, y and d are full length, but some clients drop leading zero bytes (as
  // they do for RSA members): shorter members are padded, longer ones refused.
  const x = fullLength(decodeBase64Url(jwk.x as string, "key.x"), bytes, "x", curve);
  const y = fullLength(decodeBase64Url(jwk.y as string, "key.y"), bytes, "y", curve);
  const dBytes = fullLength(decodeBase64Url(jwk.d as string, "key.d"), bytes, "d", curve);
  // The point must be on the curve (OpenSSL refuses it otherwise).
  asKey(
    () =>
      createPublicKey({
        key: {
          kty: "EC",
          crv: NODE_JWK_CURVE[curve],
          x: x.toString("base64url"),
          y: y.toString("base64url"),
        },
        format: "jwk",
      }),
    "EC",
  );
  const d = bytesToBigInt(dBytes);
  if (d < 1n || d >= n) {
    throw KeyVaultErrors.badParameter(
      `The EC key's private scalar (d) is not in the range [1, n-1] of ${curve}.`,
    );
  }
  const scalar = dBytes;
  const derived = asKey(() => {
    const ecdh = createECDH(opensslName);
    ecdh.setPrivateKey(scalar);
    return ecdh.getPublicKey(); // 0x04 || X || Y
  }, "EC");
  const stated = Buffer.concat([Buffer.of(0x04), x, y]);
  if (derived.length !== stated.length || !timingSafeEqual(derived, stated)) {
    throw KeyVaultErrors.badParameter(
      "The EC key's private scalar (d) does not match its public point (x, y).",
    );
  }
  const privateKey = asKey(
    () =>
      createPrivateKey({
        key: {
          kty: "EC",
          crv: NODE_JWK_CURVE[curve],
          x: x.toString("base64url"),
          y: y.toString("base64url"),
          d: scalar.toString("base64url"),
        },
        format: "jwk",
      }),
    "EC",
  );
  return { kty: "EC-HSM", curve, privateKey, publicKey: createPublicKey(privateKey) };
}

/** A curve member at its full length: left-padded with zeros, or refused when longer. */
function fullLength(member: Buffer, bytes: number, name: string, curve: CurveName): Buffer {
  if (member.length > bytes) {
    throw KeyVaultErrors.badParameter(
      `The EC key's member ${name} has ${member.length} bytes; on ${curve} it has ${bytes}.`,
    );
  }
  if (member.length === bytes) return member;
  const padded = Buffer.alloc(bytes);
  member.copy(padded, bytes - member.length);
  return padded;
}

function importOct(jwk: ImportedJwk): KeyMaterial {
  requirePrivate(jwk, "oct-HSM", ["k"]);
  const bytes = decodeBase64Url(jwk.k as string, "key.k");
  if (![16, 24, 32].includes(bytes.length)) {
    throw KeyVaultErrors.badParameter(
      `The oct key has ${bytes.length * 8} bits; an AES key has 128, 192 or 256 bits.`,
    );
  }
  return { kty: "oct-HSM", secret: createSecretKey(bytes) };
}

function requirePrivate(jwk: ImportedJwk, kty: KeyType, members: readonly (keyof ImportedJwk)[]): void {
  const missing = members.filter((member) => typeof jwk[member] !== "string" || jwk[member] === "");
  if (missing.length > 0) {
    throw KeyVaultErrors.badParameter(
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
    throw KeyVaultErrors.badParameter(`The JWK is not a valid ${kind} key: its members do not form a key.`);
  }
}

function bytesToBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString("hex")}`);
}

function toBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex");
}

function lcm(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return (a / x) * b;
}
