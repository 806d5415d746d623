import { type KeyObject, randomBytes } from "node:crypto";
import { checkEncData, openDomainKey, sealDomainKey } from "./enc-data.js";
import { decryptWithRsaKey, encryptToRsaKey } from "./jwe.js";
import { isLegacyUploadBlob, openLegacyUploadBlob, preparedForAnotherKey } from "./legacy-format.js";
import {
  MASTER_KEY_BYTES,
  SecurityDomainFormatError,
  type UploadBlob,
  domainKeyIdOf,
} from "./security-domain-format.js";
import { parseWrappingKeyJwk } from "./wrapping-key.js";

/**
 * What crosses the wire on upload, in Azure's format (what `az keyvault security-domain
 * restore-blob` makes): the domain key under a fresh master key (EncData), and that master key
 * encrypted to the server's transfer key (WrappedKey). No share ever leaves the client; the
 * server needs its in-memory transfer key to read the blob.
 */
export async function createUploadBlob(domainKey: Buffer, transferKeyJwk: unknown): Promise<UploadBlob> {
  const transferKey = parseWrappingKeyJwk(transferKeyJwk, "The HSM's transfer key");
  const masterKey = randomBytes(MASTER_KEY_BYTES);
  try {
    return {
      EncData: await sealDomainKey(masterKey, domainKey),
      WrappedKey: {
        enc_key: await encryptToRsaKey(transferKey.publicKey, transferKey.x5tS256, masterKey),
        x5t_256: transferKey.x5tS256,
      },
    };
  } finally {
    masterKey.fill(0);
  }
}

/**
 * The server side: the domain key, or a SecurityDomainFormatError that says what is wrong. Takes
 * Azure's upload blob, and the one an earlier mhsm CLI made in mhsm's format 1.0.
 */
export async function openUploadBlob(
  value: string,
  transferKey: { x5tS256: string; privateKey: KeyObject },
): Promise<{ domainKey: Buffer; domainKeyId: string }> {
  const fail = (why: string) => new SecurityDomainFormatError(`The uploaded security domain ${why}.`);
  let blob: unknown;
  try {
    blob = JSON.parse(value);
  } catch {
    throw fail("is not JSON");
  }
  if (typeof blob !== "object" || blob === null || Array.isArray(blob)) throw fail("is not a JSON object");
  const domainKey = isLegacyUploadBlob(blob)
    ? await openLegacyUploadBlob(blob, transferKey, fail)
    : await openAzureUploadBlob(blob as Partial<UploadBlob> & { SharedKeys?: unknown }, transferKey, fail);
  return { domainKey, domainKeyId: domainKeyIdOf(domainKey) };
}

async function openAzureUploadBlob(
  blob: Partial<UploadBlob> & { SharedKeys?: unknown },
  transferKey: { x5tS256: string; privateKey: KeyObject },
  fail: (why: string) => SecurityDomainFormatError,
): Promise<Buffer> {
  if (blob.WrappedKey === undefined && blob.SharedKeys !== undefined) {
    throw fail(
      "is a security domain file, not an upload blob: decrypt it with a quorum of its wrapping keys for this HSM's transfer key first ('mhsm security-domain upload', or 'az keyvault security-domain restore-blob')",
    );
  }
  checkEncData(blob.EncData, fail);
  const wrapped = blob.WrappedKey;
  if (typeof wrapped?.enc_key !== "string" || typeof wrapped.x5t_256 !== "string") {
    throw fail("has no WrappedKey with enc_key and x5t_256");
  }
  if (wrapped.x5t_256 !== transferKey.x5tS256) throw preparedForAnotherKey(fail);
  const masterKey = await decryptWithRsaKey(transferKey.privateKey, wrapped.enc_key, "Its WrappedKey");
  try {
    if (masterKey.length !== MASTER_KEY_BYTES)
      throw fail("has a WrappedKey that is not a 32-byte master key");
    return await openDomainKey(
      masterKey,
      blob.EncData,
      "The uploaded security domain failed authentication: it was changed after it was prepared.",
    );
  } finally {
    masterKey.fill(0);
  }
}
