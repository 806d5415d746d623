import { type KeyObject, randomBytes } from "node:crypto";
import { MASTER_KEY_BYTES, openDomainKey, sealDomainKey } from "./enc-data.js";
import { decryptWithRsaKey, encryptToRsaKey } from "./jwe.js";
import { checkEncData } from "./security-domain-file.js";
import {
  FORMAT_VERSION,
  UPLOAD_FORMAT,
  type UploadBlob,
  SecurityDomainFormatError,
  domainKeyIdOf,
} from "./security-domain-format.js";
import { parseWrappingKeyJwk } from "./wrapping-key.js";

/**
 * What crosses the wire on upload: the domain key under a fresh master key (EncData), and that
 * master key encrypted to the server's transfer key (WrappedKey). No share ever leaves the
 * client; the server needs its in-memory transfer key to read the blob.
 */
export async function createUploadBlob(domainKey: Buffer, transferKeyJwk: unknown): Promise<UploadBlob> {
  const transferKey = parseWrappingKeyJwk(transferKeyJwk, "The HSM's transfer key");
  const masterKey = randomBytes(MASTER_KEY_BYTES);
  try {
    return {
      format: UPLOAD_FORMAT,
      version: FORMAT_VERSION,
      domain_key_id: domainKeyIdOf(domainKey),
      EncData: await sealDomainKey(masterKey, domainKey),
      WrappedKey: {
        x5t_256: transferKey.x5tS256,
        enc_key: await encryptToRsaKey(transferKey.publicKey, transferKey.x5tS256, masterKey),
      },
    };
  } finally {
    masterKey.fill(0);
  }
}

/** The server side: the domain key, or a SecurityDomainFormatError that says what is wrong. */
export async function openUploadBlob(
  value: string,
  transferKey: { x5tS256: string; privateKey: KeyObject },
): Promise<{ domainKey: Buffer; domainKeyId: string }> {
  const fail = (why: string) => new SecurityDomainFormatError(`The uploaded security domain ${why}.`);
  let blob: Partial<UploadBlob>;
  try {
    blob = JSON.parse(value) as Partial<UploadBlob>;
  } catch {
    throw fail("is not JSON");
  }
  if (typeof blob !== "object" || blob === null || blob.format !== UPLOAD_FORMAT) {
    throw fail(
      `is not an mhsm upload blob (format ${JSON.stringify((blob as { format?: unknown } | null)?.format ?? null)}); prepare it with 'mhsm security-domain upload'`,
    );
  }
  if (blob.version !== FORMAT_VERSION) throw fail(`has version ${JSON.stringify(blob.version ?? null)}`);
  checkEncData(blob.EncData, fail);
  const wrapped = blob.WrappedKey;
  if (typeof wrapped?.enc_key !== "string" || typeof wrapped.x5t_256 !== "string") {
    throw fail("has no WrappedKey");
  }
  if (wrapped.x5t_256 !== transferKey.x5tS256) {
    throw fail(
      "was prepared for another transfer key (the server restarted, or it is not this HSM's); get the transfer key again and prepare the upload anew",
    );
  }
  const masterKey = await decryptWithRsaKey(transferKey.privateKey, wrapped.enc_key, "WrappedKey");
  try {
    const domainKey = await openDomainKey(
      masterKey,
      blob.EncData as UploadBlob["EncData"],
      "The uploaded security domain failed authentication: it was changed after it was prepared.",
    );
    const domainKeyId = domainKeyIdOf(domainKey);
    if (blob.domain_key_id !== domainKeyId) {
      domainKey.fill(0);
      throw fail("names another domain key than the one it holds");
    }
    return { domainKey, domainKeyId };
  } finally {
    masterKey.fill(0);
  }
}
