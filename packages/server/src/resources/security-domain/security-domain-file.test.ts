import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import {
  createSecurityDomainFile,
  parseSecurityDomainFile,
  recoverDomainKey,
} from "./security-domain-file.js";
import { type SecurityDomainFile, domainKeyIdOf } from "./security-domain-format.js";
import { TransferKey } from "./transfer-key.js";
import { createUploadBlob, openUploadBlob } from "./upload-blob.js";
import { parseWrappingKeyJwk } from "./wrapping-key.js";

/** The secret in every text encoding a file could carry it in. */
function spellings(secret: Buffer): string[] {
  return [secret.toString("hex"), secret.toString("base64"), secret.toString("base64url")];
}

/**
 * The security domain format end to end, in memory: made for three holders with a quorum of
 * two, read back with any two private keys, refused with fewer, foreign or mixed-up shares.
 * (Key holders are RSA key pairs with self-signed certificates; TransferKey makes exactly that.)
 */
describe("security domain file and upload blob", () => {
  let holders: TransferKey[];
  let stranger: TransferKey;
  const domainKey = randomBytes(32);
  let file: SecurityDomainFile;
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
      hsmName: "test",
    });
  });

  it("holds one share per holder, names the domain, and carries no key in plain text", () => {
    const parsed = parseSecurityDomainFile(JSON.parse(JSON.stringify(file)));
    assert.equal(parsed.SharedKeys.enc_shares.length, 3);
    assert.equal(parsed.SharedKeys.required, 2);
    assert.equal(parsed.domain_key_id, domainKeyIdOf(domainKey));
    assert.deepEqual(
      parsed.SharedKeys.enc_shares.map((share) => share.x5t_256),
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
      assert.deepEqual(await recoverDomainKey(file, pair.map(keyOf)), domainKey);
    }
  });

  it("refuses fewer keys than the quorum, a key that is not a wrapping key, and the same key twice", async () => {
    await assert.rejects(recoverDomainKey(file, [keyOf(1)]), /needs 2 of its 3 wrapping keys; 1 was given/);
    await assert.rejects(
      recoverDomainKey(file, [keyOf(0), { label: "other.pem", key: stranger.privateKey }]),
      /other\.pem is not one of this security domain's wrapping keys/,
    );
    await assert.rejects(recoverDomainKey(file, [keyOf(0), keyOf(0)]), /k1\.pem is the same key as k1\.pem/);
  });

  it("refuses shares from two security domains of the same holders, and a changed file", async () => {
    const other = await createSecurityDomainFile({
      domainKey: randomBytes(32),
      wrappingKeys: holders.map((holder, index) =>
        parseWrappingKeyJwk(holder.jwk, `Certificate ${index + 1}`),
      ),
      required: 2,
      hsmName: "test",
    });
    const mixed = structuredClone(file);
    mixed.SharedKeys.enc_shares[1] = other.SharedKeys
      .enc_shares[1] as (typeof mixed.SharedKeys.enc_shares)[1];
    await assert.rejects(
      recoverDomainKey(mixed, [keyOf(0), keyOf(1)]),
      /do not rebuild this security domain/,
    );

    const changed = structuredClone(file);
    const datum = changed.EncData.data[0] as { compact_jwe: string };
    const parts = datum.compact_jwe.split(".");
    parts[3] = `${(parts[3] as string).slice(0, -2)}${(parts[3] as string).endsWith("AA") ? "AB" : "AA"}`;
    datum.compact_jwe = parts.join(".");
    await assert.rejects(
      recoverDomainKey(changed, [keyOf(0), keyOf(1)]),
      /do not rebuild this security domain/,
    );
  });

  it("reads only its own format and version", () => {
    assert.throws(
      () => parseSecurityDomainFile({ EncData: {}, SharedKeys: {} }),
      /not an mhsm security domain/,
    );
    assert.throws(() => parseSecurityDomainFile({ ...file, version: "2.0" }), /has version "2.0"/);
    assert.throws(
      () => parseSecurityDomainFile({ ...file, SharedKeys: { ...file.SharedKeys, required: 4 } }),
      /fewer shares than its quorum/,
    );
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
    await assert.rejects(openUploadBlob("{}", transfer), /not an mhsm upload blob/);
  });
});
