import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "../../../../../../test/harness/fuzz.js";
import { Barrier } from "../../../platform/barrier/barrier.js";
import type { MetaRepository } from "../../../platform/store/meta-repository.js";
import type { KeyVersion } from "../key-model.js";
import { type HsmAttestationIdentity, loadOrCreateAttestationIdentity } from "./hsm-attestation-identity.js";
import { claimsOf, signAttestation } from "./key-attestation-statement.js";
import {
  AttestationVerificationError,
  spkiSha256,
  verifyAttestationBlob,
  verifyKeyAttestation,
} from "./key-attestation-verifier.js";

/** The meta table as a map, with the store's insert-if-absent. */
function memoryMeta(): MetaRepository {
  const rows = new Map<string, string>();
  return {
    get: async (key: string) => rows.get(key),
    getOrInsert: async (key: string, value: string) => {
      if (!rows.has(key)) rows.set(key, value);
      return rows.get(key) as string;
    },
  } as unknown as MetaRepository;
}

const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = publicKey.export({ format: "jwk" });
const KEY: KeyVersion = {
  name: "k",
  version: "0123456789abcdef0123456789abcdef",
  shape: { kty: "EC-HSM", curve: "P-256" },
  publicKey: { crv: "P-256", x: jwk.x as string, y: jwk.y as string },
  keyOps: ["sign", "verify"],
  attributes: {
    enabled: true,
    notBefore: null,
    expires: null,
    created: 1_700_000_000_000,
    updated: 1_700_000_000_000,
  },
  tags: {},
  imported: false,
};
const KID = "https://hsm.example/keys/k/0123456789abcdef0123456789abcdef";

const expectRefused = (run: () => unknown, what: string) =>
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AttestationVerificationError, `${what}: ${String(error)}`);
    return true;
  });

/**
 * The offline verifier (used by `mhsm key verify-attestation`) accepts exactly what the HSM
 * signed: any change to a blob, a forged header (alg none, HS256), a stranger's signature, a
 * bad chain or garbage is an AttestationVerificationError, never another error and never a pass.
 */
describe("key attestation verifier", () => {
  let identity: HsmAttestationIdentity;
  let root: string;
  let privateBlob: string;
  let publicBlob: string;

  before(async () => {
    const meta = memoryMeta();
    const barrier = Barrier.fromDomainKey(randomBytes(32));
    // Two loads racing on one store end with one identity.
    const [first, second] = await Promise.all([
      loadOrCreateAttestationIdentity(meta, barrier, { hsmName: "unit" }),
      loadOrCreateAttestationIdentity(meta, barrier, { hsmName: "unit" }),
    ]);
    assert.deepEqual(first.certificatesPem, second.certificatesPem);
    identity = first;
    root = identity.rootCertificatePem;
    privateBlob = signAttestation(
      identity,
      claimsOf({ kid: KID, key: KEY, exportable: false }, "private", Date.now()),
    );
    publicBlob = signAttestation(
      identity,
      claimsOf({ kid: KID, key: KEY, exportable: false }, "public", Date.now()),
    );
  });

  it("accepts the HSM's blobs and binds them to the key's public key", () => {
    const wire = {
      privateKeyAttestation: Buffer.from(privateBlob).toString("base64url"),
      publicKeyAttestation: Buffer.from(publicBlob).toString("base64url"),
    };
    const verified = verifyKeyAttestation(wire, root, { kid: KID, kty: "EC-HSM", ...KEY.publicKey });
    assert.equal(verified.blobs[0]?.publicKeySha256, spkiSha256({ kty: "EC", ...KEY.publicKey }));
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    expectRefused(
      () =>
        verifyKeyAttestation(wire, root, { kid: KID, kty: "EC-HSM", crv: "P-256", x: other.x, y: other.y }),
      "another key",
    );
    expectRefused(
      () => verifyKeyAttestation({ privateKeyAttestation: wire.privateKeyAttestation }, root),
      "no public blob",
    );
    expectRefused(
      () =>
        verifyKeyAttestation(
          {
            privateKeyAttestation: wire.publicKeyAttestation,
            publicKeyAttestation: wire.privateKeyAttestation,
          },
          root,
        ),
      "portions swapped",
    );
  });

  it("refuses every single-character change of a blob", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...alphabet.split("")), (at, replacement) => {
        const index = at % privateBlob.length;
        fc.pre(privateBlob[index] !== replacement);
        const changed = privateBlob.slice(0, index) + replacement + privateBlob.slice(index + 1);
        // A change in the last base64url character's unused bits decodes to the same bytes.
        let sameBytes = false;
        try {
          sameBytes = changed
            .split(".")
            .every((part, i) =>
              Buffer.from(part, "base64url").equals(
                Buffer.from(privateBlob.split(".")[i] ?? "", "base64url"),
              ),
            );
        } catch {
          sameBytes = false;
        }
        fc.pre(!sameBytes);
        expectRefused(() => verifyAttestationBlob(changed, root), `change at ${index}`);
      }),
      fuzzParameters(300),
    );
  });

  it("refuses forged headers: alg none or HS256, a stranger's signature under the HSM's chain, a missing or garbage x5c", () => {
    const [, payload] = privateBlob.split(".") as [string, string];
    const header = JSON.parse(
      Buffer.from(privateBlob.split(".")[0] as string, "base64url").toString(),
    ) as Record<string, unknown>;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expectRefused(
      () => verifyAttestationBlob(`${encode({ ...header, alg: "none" })}.${payload}.`, root),
      "alg none",
    );
    expectRefused(
      () => verifyAttestationBlob(`${encode({ ...header, alg: "HS256" })}.${payload}.AAAA`, root),
      "HS256",
    );
    // A blob a stranger signed with its own key, claiming the HSM's chain.
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const input = `${encode(header)}.${payload}`;
    const forged = `${input}.${sign("sha256", Buffer.from(input), stranger).toString("base64url")}`;
    expectRefused(() => verifyAttestationBlob(forged, root), "a stranger's signature");
    expectRefused(
      () => verifyAttestationBlob(`${encode({ ...header, x5c: [] })}.${payload}.x`, root),
      "no x5c",
    );
    expectRefused(
      () => verifyAttestationBlob(`${encode({ ...header, x5c: ["AAAA"] })}.${payload}.x`, root),
      "garbage x5c",
    );
  });

  it("refuses garbage and huge input with its own error", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expectRefused(() => verifyAttestationBlob(text, root), JSON.stringify(text));
      }),
      fuzzParameters(200),
    );
    expectRefused(() => verifyAttestationBlob(`${"A".repeat(2_000_000)}.${"B".repeat(10)}.C`, root), "huge");
    expectRefused(() => verifyAttestationBlob(privateBlob, "not a certificate"), "bad root");
  });
});
