import assert from "node:assert/strict";
import {
  type KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
} from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "../harness/fuzz.js";
import type { RawResponse } from "../harness/https-client.js";
import {
  ALG,
  CURVES,
  type Curve,
  HASH,
  type RsaParts,
  b64,
  coordinateBytes,
  derToP1363,
  ecJwkFromScalar,
  nodeEcPrivateKey,
  nodeEcPublicKey,
  order,
  rsaJwk,
  rsaParts,
  scalarArbitrary,
  toBytes,
  unb64,
} from "./support/key-oracles.js";
import { type KeysFixture, startKeysServer } from "./support/keys-fixture.js";
import { openssl, opensslVerifies, p1363ToDer } from "./support/openssl.js";

/**
 * Key import and signatures through a real server, checked with the openssl command: the
 * review's attacks (a victim's public key with the attacker's private part) are 400s that create
 * nothing, and a forged signature never verifies; the HSM's signatures on imported keys verify in
 * OpenSSL, OpenSSL's verify on the HSM, and on altered signatures the HSM answers as OpenSSL does.
 * Runs are few (tens): every case is several HTTPS requests and openssl processes.
 */

let counter = 0;
const freshName = (prefix: string) => `${prefix}-${++counter}`;

function assertRefused(response: RawResponse, secrets: Buffer[]): void {
  assert.equal(response.status, 400, response.text);
  assert.equal(response.json?.error?.code, "BadParameter", response.text);
  for (const secret of secrets) {
    assert.ok(!response.text.includes(b64(secret)), "the error names a private member");
    assert.ok(
      !response.text.toLowerCase().includes(secret.toString("hex")),
      "the error names a private member",
    );
  }
}

function publicKeyOf(key: Record<string, string>): KeyObject {
  if (key.kty?.startsWith("RSA")) {
    return createPublicKey({ key: { kty: "RSA", n: key.n as string, e: key.e as string }, format: "jwk" });
  }
  return nodeEcPublicKey(key.crv as Curve, key.x as string, key.y as string);
}

const pem = (key: KeyObject): string =>
  key.type === "public"
    ? (key.export({ type: "spki", format: "pem" }) as string)
    : (key.export({ type: "pkcs8", format: "pem" }) as string);

const RSA_ALGS = {
  RS256: { hash: "sha256", pss: false },
  RS384: { hash: "sha384", pss: false },
  PS256: { hash: "sha256", pss: true },
  PS512: { hash: "sha512", pss: true },
} as const;
type RsaAlg = keyof typeof RSA_ALGS;

/** `openssl dgst` options for the algorithm (PSS with a salt as long as the hash, as Key Vault uses). */
function dgstOptions(alg: string, hash: string): string[] {
  const pss = alg in RSA_ALGS && RSA_ALGS[alg as RsaAlg].pss;
  return [
    `-${hash}`,
    ...(pss ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] : []),
  ];
}

/** `openssl dgst -verify` of a signature over the message with the public key. */
function opensslDgstVerifies(
  alg: string,
  hash: string,
  publicKey: KeyObject,
  message: Buffer,
  sig: Buffer,
): boolean {
  return opensslVerifies(
    (dir) => [
      "dgst",
      ...dgstOptions(alg, hash),
      "-verify",
      `${dir}/pub.pem`,
      "-signature",
      `${dir}/sig`,
      `${dir}/msg`,
    ],
    { "pub.pem": pem(publicKey), sig, msg: message },
  );
}

/** `openssl dgst -sign` of the message with the private key (DER for ECDSA, raw for RSA). */
function opensslDgstSign(alg: string, hash: string, privateKey: KeyObject, message: Buffer): Buffer {
  return openssl(
    (dir) => [
      "dgst",
      ...dgstOptions(alg, hash),
      "-sign",
      `${dir}/key.pem`,
      "-out",
      `${dir}/sig`,
      `${dir}/msg`,
    ],
    { "key.pem": pem(privateKey), msg: message },
    "sig",
  );
}

describe("key import and signatures end to end (property)", () => {
  let fx: KeysFixture;
  let rsaKeys: RsaParts[];

  before(async () => {
    fx = await startKeysServer();
    rsaKeys = [0, 1].map(() =>
      rsaParts(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" })),
    );
  });
  after(() => fx?.dispose());

  const verifyCall = (name: string, alg: string, digest: Buffer, signature: Buffer) =>
    fx.request("POST", `/keys/${name}/verify`, { alg, digest: b64(digest), value: b64(signature) });

  it("the review's EC attack: a victim's x, y with d = 1, 0, n or another key's d is a 400, creates nothing, and its forgeries do not verify", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CURVES).chain((curve) =>
          fc.record({
            curve: fc.constant(curve),
            victim: scalarArbitrary(curve),
            attacker: fc.oneof(
              fc.constant("1" as const),
              fc.constant("0" as const),
              fc.constant("n" as const),
              scalarArbitrary(curve),
            ),
            message: fc.uint8Array({ maxLength: 64 }),
          }),
        ),
        async ({ curve, victim, attacker, message }) => {
          const n = order(curve);
          const d = attacker === "1" ? 1n : attacker === "0" ? 0n : attacker === "n" ? n : attacker;
          fc.pre(d !== victim);
          const bytes = coordinateBytes(curve);
          const victimJwk = ecJwkFromScalar(curve, victim);
          const attackerD = toBytes(d, bytes);
          const name = freshName("attack-ec");
          const response = await fx.request("PUT", `/keys/${name}`, {
            key: { kty: "EC", crv: curve, x: victimJwk.x, y: victimJwk.y, d: b64(attackerD) },
          });

          // The attacker's forgery over the victim's public key (for a d that is a scalar at all).
          const data = Buffer.from(message);
          const digest = createHash(HASH[curve]).update(data).digest();
          if (d >= 1n && d < n) {
            const attackerJwk = ecJwkFromScalar(curve, d);
            const forged = sign(HASH[curve], data, {
              key: nodeEcPrivateKey(curve, attackerJwk.x, attackerJwk.y, attackerJwk.d),
              dsaEncoding: "ieee-p1363",
            });
            const onAttackKey = await verifyCall(name, ALG[curve], digest, forged);
            assert.notEqual(
              onAttackKey.json?.value,
              true,
              "a forged signature verified on the attacker's import",
            );
            const victimPublic = nodeEcPublicKey(curve, victimJwk.x, victimJwk.y);
            assert.equal(
              opensslDgstVerifies(ALG[curve], HASH[curve], victimPublic, data, p1363ToDer(forged)),
              false,
            );
          }

          assertRefused(response, [attackerD, unb64(victimJwk.d)]);
          assert.equal((await fx.request("GET", `/keys/${name}`)).status, 404);
        },
      ),
      fuzzParameters(16),
    );
  });

  it("RSA imports whose private members are another key's (d; p, q, dp, dq, qi) or altered (dp, qi, p/q swapped) are 400s and create nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("other-d", "other-crt", "flip-dp", "flip-qi", "swap-pq"),
        fc.nat({ max: 1 }),
        fc.nat({ max: 255 }),
        async (kind, index, bit) => {
          const key = rsaKeys[index] as RsaParts;
          const other = rsaKeys[1 - index] as RsaParts;
          const flip = (bytes: Buffer) => {
            const copy = Buffer.from(bytes);
            copy[copy.length - 1 - (bit >> 3)] =
              (copy[copy.length - 1 - (bit >> 3)] as number) ^ (1 << (bit & 7));
            return copy;
          };
          const mutated: RsaParts = {
            "other-d": { ...key, d: other.d },
            "other-crt": { ...key, p: other.p, q: other.q, dp: other.dp, dq: other.dq, qi: other.qi },
            "flip-dp": { ...key, dp: flip(key.dp) },
            "flip-qi": { ...key, qi: flip(key.qi) },
            "swap-pq": { ...key, p: key.q, q: key.p },
          }[kind];
          const name = freshName("attack-rsa");
          const response = await fx.request("PUT", `/keys/${name}`, { key: rsaJwk(mutated) });
          assertRefused(response, [key.d, key.p, key.q, other.d, other.p, other.q]);
          assert.equal((await fx.request("GET", `/keys/${name}`)).status, 404);
        },
      ),
      fuzzParameters(10),
    );
  });

  it("an imported key's signatures verify with openssl, openssl's verify on the HSM, and on altered ones the HSM answers as openssl does", async () => {
    type KeyChoice = { kind: "EC"; curve: Curve; d: bigint } | { kind: "RSA"; index: number; alg: RsaAlg };
    const keyChoice: fc.Arbitrary<KeyChoice> = fc.oneof(
      fc.constantFrom(...CURVES).chain((curve) =>
        fc.record({
          kind: fc.constant("EC" as const),
          curve: fc.constant(curve),
          d: scalarArbitrary(curve),
        }),
      ),
      fc.record({
        kind: fc.constant("RSA" as const),
        index: fc.nat({ max: 1 }),
        alg: fc.constantFrom(...(Object.keys(RSA_ALGS) as RsaAlg[])),
      }),
    );
    await fc.assert(
      fc.asyncProperty(keyChoice, fc.uint8Array({ maxLength: 100 }), fc.nat(), async (choice, bytes, bit) => {
        const message = Buffer.from(bytes);
        let jwk: Record<string, string>;
        let privateKey: KeyObject;
        let alg: string;
        let hash: string;
        if (choice.kind === "EC") {
          const ec = ecJwkFromScalar(choice.curve, choice.d);
          jwk = { ...ec };
          privateKey = nodeEcPrivateKey(choice.curve, ec.x, ec.y, ec.d);
          alg = ALG[choice.curve];
          hash = HASH[choice.curve];
        } else {
          jwk = rsaJwk(rsaKeys[choice.index] as RsaParts);
          privateKey = createPrivateKey({ key: jwk, format: "jwk" });
          alg = choice.alg;
          hash = RSA_ALGS[choice.alg].hash;
        }
        const name = freshName("imported");
        const imported = await fx.request("PUT", `/keys/${name}`, { key: jwk });
        assert.equal(imported.status, 200, imported.text);
        assert.equal(imported.json.key.d, undefined);
        const got = await fx.request("GET", `/keys/${name}`);
        const publicKey = publicKeyOf(got.json.key);
        const toOpenssl = (sig: Buffer) => (choice.kind === "EC" ? p1363ToDer(sig) : sig);
        const digest = createHash(hash).update(message).digest();

        // The HSM signs; openssl verifies with the public key the HSM published.
        const signed = await fx.request("POST", `/keys/${name}/sign`, { alg, value: b64(digest) });
        assert.equal(signed.status, 200, signed.text);
        const hsmSignature = unb64(signed.json.value);
        assert.equal(opensslDgstVerifies(alg, hash, publicKey, message, toOpenssl(hsmSignature)), true);

        // openssl signs with the private key the test imported; the HSM verifies.
        const opensslSignature = opensslDgstSign(alg, hash, privateKey, message);
        const fromOpenssl =
          choice.kind === "EC" ? derToP1363(choice.curve, opensslSignature) : opensslSignature;
        const verified = await verifyCall(name, alg, digest, fromOpenssl);
        assert.equal(verified.status, 200, verified.text);
        assert.equal(verified.json.value, true);

        // An altered signature: the HSM's verdict is openssl's.
        const altered = Buffer.from(hsmSignature);
        const position = bit % (8 * altered.length);
        altered[position >> 3] = (altered[position >> 3] as number) ^ (1 << (position & 7));
        const expected = opensslDgstVerifies(alg, hash, publicKey, message, toOpenssl(altered));
        const answer = await verifyCall(name, alg, digest, altered);
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.json.value, expected);
      }),
      fuzzParameters(16),
    );
  });
});
