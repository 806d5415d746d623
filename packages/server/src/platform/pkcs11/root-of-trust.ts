import type { AesGCM } from "./pkcs11js-types.js";
import type { Pkcs11Token, TokenSession } from "./pkcs11-token.js";

/**
 * The HSM's root of trust in the token: one AES-256 key made inside it, sensitive and not
 * extractable, so its value never leaves the device. It wraps what the data directory would
 * otherwise hold in the clear — the domain key and the node key (key-file.ts) — as Vault's
 * PKCS#11 seal wraps its root key: whoever copies the data directory without the token and its
 * PIN holds ciphertext only.
 *
 * Wrapped form: 12-byte IV | AES-GCM ciphertext | 16-byte tag, with the purpose as the
 * additional data (a wrapped node key does not open as a domain key). The IV comes from the
 * token's own generator.
 */
export const ROOT_OF_TRUST_LABEL = "mhsm root of trust";
const IV_BYTES = 12;
const TAG_BITS = 128;

export class TokenRootOfTrust {
  private constructor(private readonly token: Pkcs11Token) {}

  /** Finds the token's root-of-trust key, or makes it (the first start on this token). */
  static async open(token: Pkcs11Token): Promise<TokenRootOfTrust> {
    await token.withSession((session) => findOrCreate(session));
    return new TokenRootOfTrust(token);
  }

  wrap(plaintext: Buffer, purpose: string): Promise<Buffer> {
    return this.token.withSession(async (session) => {
      const { p11, binding } = session;
      const key = findOrCreate(session);
      const iv = p11.C_GenerateRandom(session.session, Buffer.alloc(IV_BYTES));
      p11.C_EncryptInit(session.session, gcm(binding, iv, purpose), key);
      const out = await p11.C_EncryptAsync(
        session.session,
        plaintext,
        Buffer.alloc(plaintext.length + TAG_BITS / 8),
      );
      return Buffer.concat([iv, out]);
    });
  }

  /** The plaintext; undefined when the value was not wrapped by this token's key for this purpose. */
  unwrap(wrapped: Buffer, purpose: string): Promise<Buffer | undefined> {
    if (wrapped.length < IV_BYTES + TAG_BITS / 8) return Promise.resolve(undefined);
    return this.token.withSession(async (session) => {
      const { p11, binding } = session;
      const key = findOrCreate(session);
      p11.C_DecryptInit(session.session, gcm(binding, wrapped.subarray(0, IV_BYTES), purpose), key);
      try {
        return await p11.C_DecryptAsync(
          session.session,
          wrapped.subarray(IV_BYTES),
          Buffer.alloc(wrapped.length),
        );
      } catch (error) {
        // A failed tag is this answer, not a device failure: another token's key, or tampering.
        if (session.binding.Pkcs11Error && error instanceof session.binding.Pkcs11Error) {
          const code = error.code;
          // (SoftHSM answers a tag that does not verify with CKR_GENERAL_ERROR.)
          if (
            code === binding.CKR_ENCRYPTED_DATA_INVALID ||
            code === binding.CKR_ENCRYPTED_DATA_LEN_RANGE ||
            code === binding.CKR_GENERAL_ERROR ||
            code === binding.CKR_FUNCTION_FAILED
          ) {
            return undefined;
          }
        }
        throw error;
      }
    });
  }
}

function gcm(binding: TokenSession["binding"], iv: Buffer, purpose: string) {
  return {
    mechanism: binding.CKM_AES_GCM,
    parameter: {
      type: binding.CK_PARAMS_AES_GCM,
      iv,
      ivBits: IV_BYTES * 8,
      aad: Buffer.from(purpose, "utf8"),
      tagBits: TAG_BITS,
    } as AesGCM,
  };
}

function findOrCreate({ p11, session, binding }: TokenSession): Buffer {
  const template = [
    { type: binding.CKA_CLASS, value: binding.CKO_SECRET_KEY },
    { type: binding.CKA_LABEL, value: ROOT_OF_TRUST_LABEL },
  ];
  p11.C_FindObjectsInit(session, template);
  const found = p11.C_FindObjects(session, 2);
  p11.C_FindObjectsFinal(session);
  if (found.length > 1) throw new Error(`the token holds more than one '${ROOT_OF_TRUST_LABEL}' key`);
  if (found[0]) return found[0];
  return p11.C_GenerateKey(session, { mechanism: binding.CKM_AES_KEY_GEN }, [
    ...template,
    { type: binding.CKA_KEY_TYPE, value: binding.CKK_AES },
    { type: binding.CKA_VALUE_LEN, value: 32 },
    { type: binding.CKA_TOKEN, value: true },
    { type: binding.CKA_PRIVATE, value: true },
    { type: binding.CKA_SENSITIVE, value: true },
    { type: binding.CKA_EXTRACTABLE, value: false },
    { type: binding.CKA_MODIFIABLE, value: false },
    { type: binding.CKA_ENCRYPT, value: true },
    { type: binding.CKA_DECRYPT, value: true },
    { type: binding.CKA_WRAP, value: false },
    { type: binding.CKA_UNWRAP, value: false },
    { type: binding.CKA_SIGN, value: false },
    { type: binding.CKA_VERIFY, value: false },
    { type: binding.CKA_DERIVE, value: false },
  ]);
}
