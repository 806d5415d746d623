import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import {
  createSecurityDomainFile,
  parseSecurityDomainFile,
  recoverDomainKey,
} from "./security-domain-file.js";
import { type SecurityDomainFile, domainKeyIdOf } from "./security-domain-format.js";
import { combineShares } from "./prime-field-shares.js";
import { TransferKey } from "./transfer-key.js";
import { createUploadBlob, openUploadBlob } from "./upload-blob.js";
import { parseWrappingKeyJwk } from "./wrapping-key.js";

/** The secret in every text encoding a file could carry it in. */
function spellings(secret: Buffer): string[] {
  return [secret.toString("hex"), secret.toString("base64"), secret.toString("base64url")];
}

/**
 * The security domain format (Azure's) end to end, in memory: made for three holders with a
 * quorum of two, read back with any two private keys, refused with fewer, foreign or mixed-up
 * shares. (test/security-domain/azure-cli-interop.test.ts runs Microsoft's own reader on it.)
 * (Key holders are RSA key pairs with self-signed certificates; TransferKey makes exactly that.)
 */
describe("security domain file and upload blob", () => {
  let holders: TransferKey[];
  let stranger: TransferKey;
  const domainKey = randomBytes(32);
  let file: SecurityDomainFile;
  const parsed = (value: SecurityDomainFile) => parseSecurityDomainFile(JSON.parse(JSON.stringify(value)));
  const keyOf = (index: number) => ({
    label: `k${index + 1}.pem`,
    key: (holders[index] as TransferKey).privateKey,
  });

  before(async () => {
    [holders, stranger] = [
      await Promise.all([1, 2, 3].map(() => TransferKey.create("t"))),
      await TransferKey.create("t"),
    ];
    file = await createSecurityDomainFile({
      domainKey,
      wrappingKeys: holders.map((holder, index) =>
        parseWrappingKeyJwk(holder.jwk, `Certificate ${index + 1}`),
      ),
      required: 2,
    });
  });

  it("is exactly Azure's shape: one shamir_share per holder by certificate thumbprint, no key in plain text", () => {
    assert.deepEqual(Object.keys(file), ["EncData", "SharedKeys"]);
    assert.deepEqual(Object.keys(file.SharedKeys), ["enc_shares", "key_algorithm", "required"]);
    assert.equal(file.SharedKeys.key_algorithm, "shamir_share");
    assert.equal(file.EncData.kdf, "sp108_kdf");
    const read = parsed(file);
    assert.equal(read.format, "azure");
    assert.equal(file.SharedKeys.enc_shares.length, 3);
    assert.equal(file.SharedKeys.required, 2);
    assert.deepEqual(
      file.SharedKeys.enc_shares.map((share) => share.x5t_256),
      holders.map((holder) => holder.x5tS256),
    );
    const text = JSON.stringify(file);
    for (const spelling of spellings(domainKey))
      assert.ok(!text.includes(spelling), "no domain key in the file");
  });

  it("gives the domain key back with any quorum of the private keys", async () => {
    for (const pair of [
      [0, 1],
      [2, 0],
      [1, 2],
      [0, 1, 2],
    ]) {
      assert.deepEqual(await recoverDomainKey(parsed(file), pair.map(keyOf)), domainKey);
    }
  });

  it("refuses fewer keys than the quorum, a key that is not a wrapping key, and the same key twice", async () => {
    await assert.rejects(
      recoverDomainKey(parsed(file), [keyOf(1)]),
      /needs 2 of its 3 wrapping keys; 1 was given/,
    );
    await assert.rejects(
      recoverDomainKey(parsed(file), [keyOf(0), { label: "other.pem", key: stranger.privateKey }]),
      /other\.pem is not one of this security domain's wrapping keys/,
    );
    await assert.rejects(
      recoverDomainKey(parsed(file), [keyOf(0), keyOf(0)]),
      /k1\.pem is the same key as k1\.pem/,
    );
  });

  it("refuses shares from two security domains of the same holders, and a changed file", async () => {
    const other = await createSecurityDomainFile({
      domainKey: randomBytes(32),
      wrappingKeys: holders.map((holder, index) =>
        parseWrappingKeyJwk(holder.jwk, `Certificate ${index + 1}`),
      ),
      required: 2,
    });
    const mixed = structuredClone(file);
    mixed.SharedKeys.enc_shares[1] = other.SharedKeys
      .enc_shares[1] as (typeof mixed.SharedKeys.enc_shares)[1];
    await assert.rejects(recoverDomainKey(parsed(mixed), [keyOf(0), keyOf(1)]), /mixes security domains/);

    const changed = structuredClone(file);
    const datum = changed.EncData.data[0] as { compact_jwe: string };
    const parts = datum.compact_jwe.split(".");
    parts[3] = `${(parts[3] as string).slice(0, -2)}${(parts[3] as string).endsWith("AA") ? "AB" : "AA"}`;
    datum.compact_jwe = parts.join(".");
    await assert.rejects(
      recoverDomainKey(parsed(changed), [keyOf(0), keyOf(1)]),
      /do not rebuild this security domain/,
    );
  });

  it("refuses files it cannot read, each with its reason", () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /is not a JSON object/],
      [{ EncData: {}, SharedKeys: {} }, /has no EncData with a data array/],
      [{ ...file, EncData: { ...file.EncData, kdf: "HKDF" } }, /EncData\.kdf "HKDF"; only 'sp108_kdf'/],
      [{ EncData: file.EncData }, /has no SharedKeys/],
      [
        { ...file, SharedKeys: { ...file.SharedKeys, key_algorithm: "shamir-gf256" } },
        /key_algorithm "shamir-gf256"; only 'shamir_share' is supported/,
      ],
      [{ ...file, SharedKeys: { ...file.SharedKeys, required: 4 } }, /fewer shares than its quorum/],
      [
        { ...file, SharedKeys: { ...file.SharedKeys, required: 1 } },
        /quorum \(SharedKeys\.required\) outside 2-10/,
      ],
      [{ ...file, SharedKeys: { ...file.SharedKeys, required: "2" } }, /quorum/],
      [
        { ...file, SharedKeys: { ...file.SharedKeys, enc_shares: [{ enc_key: 1 }, {}, {}] } },
        /a share without enc_key or x5t_256/,
      ],
      [{ EncData: file.EncData, WrappedKey: { enc_key: "", x5t_256: "" } }, /is an upload blob/],
      [{ format: "mhsm-security-domain", version: "2.0" }, /has version "2.0"/],
    ];
    for (const [value, message] of cases) assert.throws(() => parseSecurityDomainFile(value), message);
  });

  it("splits the master key into shares Azure's reader recombines: 16-bit words (x << 9) | v", async () => {
    // Each holder opens its own share; the words must have the layout Azure's reader decodes.
    const { compactDecrypt } = await import("jose");
    const shares = await Promise.all(
      file.SharedKeys.enc_shares.map(async (share, index) =>
        Buffer.from(
          (await compactDecrypt(share.enc_key, (holders[index] as TransferKey).privateKey)).plaintext,
        ),
      ),
    );
    for (const [index, share] of shares.entries()) {
      assert.equal(share.length, 64, "32 little-endian 16-bit words");
      for (let offset = 0; offset < 64; offset += 2) {
        assert.equal(share.readUInt16LE(offset) >> 9, index + 1, "x is the share's number");
        assert.ok((share.readUInt16LE(offset) & 0x1ff) <= 256, "v is in the field of 257");
      }
    }
    assert.equal(combineShares([shares[2] as Buffer, shares[0] as Buffer]).length, 32);
  });

  it("moves the domain key to the transfer key's holder, and only to it", async () => {
    const transfer = await TransferKey.create("t");
    const blob = JSON.stringify(await createUploadBlob(domainKey, transfer.jwk));
    for (const spelling of spellings(domainKey))
      assert.ok(!blob.includes(spelling), "no domain key in the blob");
    const opened = await openUploadBlob(blob, transfer);
    assert.deepEqual(opened.domainKey, domainKey);
    assert.equal(opened.domainKeyId, domainKeyIdOf(domainKey));
    await assert.rejects(openUploadBlob(blob, stranger), /prepared for another transfer key/);
    const tampered = JSON.parse(blob);
    tampered.EncData.data[0].compact_jwe = tampered.EncData.data[0].compact_jwe.replace(/\.[^.]{4}/, ".AAAA");
    await assert.rejects(
      openUploadBlob(JSON.stringify(tampered), transfer),
      /failed authentication|cannot be decrypted/,
    );
    await assert.rejects(openUploadBlob("{}", transfer), /has no EncData/);
    await assert.rejects(
      openUploadBlob(JSON.stringify(file), transfer),
      /is a security domain file, not an upload blob/,
    );
    const wrongKdf = JSON.parse(blob);
    wrongKdf.EncData.kdf = "HKDF-SHA256";
    await assert.rejects(openUploadBlob(JSON.stringify(wrongKdf), transfer), /only 'sp108_kdf' is known/);
  });
});
