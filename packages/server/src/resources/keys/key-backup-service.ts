import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import type { KeyStore } from "./key-repository.js";
import type { KeyLookup } from "./key-lookup.js";
import type { KeyVersion, RotationPolicy } from "./key-model.js";

/**
 * Single-key backup and restore (POST /keys/{name}/backup, POST /keys/restore). The blob holds
 * every version of the key with its material, sealed with AES-256-GCM under a key derived from
 * the domain key: only an HSM with the same security domain can open it, and any change to the
 * blob fails authentication, so a tampered blob is refused before anything is written.
 *
 * Blob (base64url on the wire): "MHKB" | format 0x01 | 12-byte nonce | ciphertext | 16-byte tag.
 */
const MAGIC = Buffer.from("MHKB", "ascii");
const FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from("mhsm single-key backup v1", "utf8");

const versionSchema = z.object({
  version: z.string().regex(/^[0-9a-f]{32}$/),
  shape: z.union([
    z.object({ kty: z.literal("RSA-HSM"), keySize: z.number().int(), publicExponent: z.number().int() }),
    z.object({ kty: z.literal("EC-HSM"), curve: z.enum(["P-256", "P-256K", "P-384", "P-521"]) }),
    z.object({ kty: z.literal("oct-HSM"), keySize: z.number().int() }),
  ]),
  publicKey: z.record(z.string(), z.string()),
  keyOps: z.array(z.enum(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import"])),
  attributes: z.object({
    enabled: z.boolean(),
    notBefore: z.number().nullable(),
    expires: z.number().nullable(),
    created: z.number(),
    updated: z.number(),
  }),
  tags: z.record(z.string(), z.string()),
  imported: z.boolean(),
  // Secure key release (absent from blobs made before it existed: not exportable).
  exportable: z.boolean().optional(),
  releasePolicy: z
    .object({ contentType: z.string(), policy: z.string(), immutable: z.boolean() })
    .nullable()
    .optional(),
  material: z.string(),
});

const payloadSchema = z.object({
  kind: z.literal("mhsm-key-backup"),
  name: z.string(),
  createdAt: z.number(),
  currentVersion: z.string(),
  rotationPolicy: z.unknown().nullable(),
  versions: z.array(versionSchema).min(1),
});

export class KeyBackupService {
  readonly #backupKey: Buffer;

  /** `backupKey`: 32 bytes derived from the domain key for this one purpose. */
  constructor(
    private readonly store: KeyStore,
    private readonly lookup: KeyLookup,
    backupKey: Buffer,
  ) {
    this.#backupKey = Buffer.from(backupKey);
  }

  async backup(name: string): Promise<Buffer> {
    const key = await this.store.keys.getKey(name);
    if (!key || key.deletion) throw KeyVaultErrors.keyNotFound(name);
    const versions = await this.store.keys.listVersions(name);
    const payload = {
      kind: "mhsm-key-backup",
      // The key's own spelling, whichever one the request used.
      name: key.name,
      createdAt: key.createdAt,
      currentVersion: key.currentVersion,
      rotationPolicy: key.rotationPolicy,
      versions: versions.map(({ version, materialSealed }) => {
        const material = this.store.keys.openMaterial(version, materialSealed);
        try {
          return { ...version, material: material.toString("base64") };
        } finally {
          material.fill(0);
        }
      }),
    };
    return this.seal(Buffer.from(JSON.stringify(payload), "utf8"));
  }

  /** Restores every version of the key in the blob, under its own name, which must be free. */
  async restore(blob: Buffer): Promise<KeyVersion> {
    const payload = this.open(blob);
    const name = payload.name;
    const current = payload.versions.find((v) => v.version === payload.currentVersion);
    if (!current) throw KeyVaultErrors.keyBackupBlobMalformed();
    await this.store.transaction(async (tx) => {
      const existing = await tx.keys.getKey(name);
      if (existing?.deletion) throw KeyVaultErrors.keyNameHeldByDeletedKey(name);
      if (existing) {
        throw KeyVaultErrors.keyRestoreNameTaken(name);
      }
      for (const entry of payload.versions) {
        const { material, ...version } = entry;
        const bytes = Buffer.from(material, "base64");
        try {
          await tx.keys.insertVersion({ ...(version as Omit<KeyVersion, "name">), name }, bytes);
        } finally {
          bytes.fill(0);
        }
      }
      await tx.keys.insertKey(name, payload.currentVersion, payload.createdAt);
      if (payload.rotationPolicy)
        await tx.keys.setRotationPolicy(name, payload.rotationPolicy as RotationPolicy);
    });
    // A lookup of this name may have cached "no such key".
    this.lookup.invalidate(name);
    const { material: _material, ...version } = current;
    return { ...(version as Omit<KeyVersion, "name">), name };
  }

  private seal(plaintext: Buffer): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#backupKey, nonce);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    return Buffer.concat([MAGIC, Buffer.of(FORMAT), nonce, body, cipher.getAuthTag()]);
  }

  private open(blob: Buffer): z.infer<typeof payloadSchema> {
    const header = MAGIC.length + 1;
    if (blob.length < header + NONCE_BYTES + TAG_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw KeyVaultErrors.keyBackupBlobMalformed();
    }
    if (blob[MAGIC.length] !== FORMAT) throw KeyVaultErrors.keyBackupBlobMalformed();
    const nonce = blob.subarray(header, header + NONCE_BYTES);
    const body = blob.subarray(header + NONCE_BYTES, blob.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.#backupKey, nonce);
    decipher.setAAD(AAD);
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      // The seal does not open: changed, or sealed under another security domain's key.
      throw KeyVaultErrors.keyBackupBlobForeign();
    }
    try {
      const parsed = payloadSchema.safeParse(JSON.parse(plaintext.toString("utf8")));
      if (!parsed.success) throw KeyVaultErrors.keyBackupBlobMalformed();
      return parsed.data;
    } finally {
      plaintext.fill(0);
    }
  }
}
