import {
  X509Certificate,
  constants,
  createCipheriv,
  createHash,
  hkdfSync,
  publicEncrypt,
  randomBytes,
} from "node:crypto";

/**
 * An upload blob in mhsm's own format 1.0, as `mhsm security-domain upload` made them before the
 * switch to Azure's format (docs/security-domain-format.md, "Format 1.0"), built here with
 * node:crypto from that description, not with the server's code: the domain key under HKDF-SHA256
 * of a fresh master key (JWE dir/A256GCM), the master key to the transfer key (RSA-OAEP-256/A256GCM).
 */
export function legacyUploadBlob(options: {
  domainKey: Buffer;
  domainKeyId: string;
  transferKey: { x5c: string[] };
}): string {
  const certificate = new X509Certificate(Buffer.from(options.transferKey.x5c[0] as string, "base64"));
  const x5tS256 = createHash("sha256").update(certificate.raw).digest("base64url");
  const masterKey = randomBytes(32);
  const tag = "mhsm-domain-key-v1";
  const datumKey = Buffer.from(
    hkdfSync("sha256", masterKey, Buffer.alloc(0), Buffer.from(`mhsm security domain v1 ${tag}`), 32),
  );
  const cek = randomBytes(32);
  const wrappedCek = publicEncrypt(
    { key: certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    cek,
  );
  return JSON.stringify({
    format: "mhsm-security-domain-upload",
    version: "1.0",
    domain_key_id: options.domainKeyId,
    EncData: {
      kdf: "HKDF-SHA256",
      data: [
        {
          tag,
          compact_jwe: gcmJwe(
            { alg: "dir", enc: "A256GCM", kid: tag },
            datumKey,
            Buffer.alloc(0),
            options.domainKey,
          ),
        },
      ],
    },
    WrappedKey: {
      x5t_256: x5tS256,
      enc_key: gcmJwe({ alg: "RSA-OAEP-256", enc: "A256GCM", kid: x5tS256 }, cek, wrappedCek, masterKey),
    },
  });
}

/** JWE compact with A256GCM: the protected header (base64url, ASCII) is the additional data. */
function gcmJwe(
  header: Record<string, string>,
  key: Buffer,
  encryptedKey: Buffer,
  plaintext: Buffer,
): string {
  const protectedHeader = Buffer.from(JSON.stringify(header)).toString("base64url");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(protectedHeader, "ascii"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedHeader, encryptedKey, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}
