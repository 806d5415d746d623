import type { AesGCM, RsaOAEP, RsaPSS } from "../../../platform/pkcs11/pkcs11js-types.js";
import { KeyVaultErrors } from "../../../platform/errors/key-vault-errors.js";
import type { Pkcs11Binding } from "../../../platform/pkcs11/pkcs11-binding.js";
import type { TokenSession } from "../../../platform/pkcs11/pkcs11-token.js";
import type { TokenKeys } from "../../../platform/pkcs11/token-keys.js";
import type { CipherAlgorithm, HashName, SignatureAlgorithm } from "../key-algorithms.js";
import type { TokenKeyMaterial } from "../key-material.js";
import { CBC_IV_BYTES, GCM_IV_BYTES, GCM_TAG_BYTES } from "./aes-encryption.js";

/**
 * The private and secret key operations of keys that live in the PKCS#11 token, each one a
 * PKCS#11 call: CKM_RSA_PKCS (over a DigestInfo, as RS* signs a digest), CKM_RSA_PKCS_PSS,
 * CKM_ECDSA over the client's digest, CKM_RSA_PKCS_OAEP, CKM_AES_GCM, CKM_AES_CBC(_PAD),
 * CKM_AES_KEY_WRAP(_PAD). Public-key operations (verify, RSA encrypt and wrap) use the published
 * public key, as any client can. A mechanism the token lacks answers BadParameter naming it.
 * Failures of the operation (a ciphertext that does not decrypt) answer as the software
 * backend's do, and say nothing of the data or the key.
 */
/** PKCS#11's CKZ_DATA_SPECIFIED (OAEP's label source), which the binding does not export. */
const CKZ_DATA_SPECIFIED = 1;

const DIGEST_INFO_PREFIX: Record<HashName, Buffer> = {
  sha1: Buffer.from("3021300906052b0e03021a05000414", "hex"),
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

export class TokenKeyCrypto {
  constructor(private readonly keys: TokenKeys | undefined) {}

  async sign(
    material: TokenKeyMaterial,
    algorithm: SignatureAlgorithm,
    algorithmName: string,
    digest: Buffer,
  ): Promise<Buffer> {
    const keys = this.#keys();
    const b = keys.token.binding;
    switch (algorithm.scheme) {
      case "pkcs1":
        this.#need(b.CKM_RSA_PKCS, "CKM_RSA_PKCS", algorithmName);
        return keys.withKey(material.token, (s, key) =>
          run(
            s,
            { mechanism: b.CKM_RSA_PKCS },
            key,
            "sign",
            Buffer.concat([DIGEST_INFO_PREFIX[algorithm.hash], digest]),
            1024,
          ),
        );
      case "pss":
        this.#need(b.CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS", algorithmName);
        return keys.withKey(material.token, (s, key) =>
          run(
            s,
            {
              mechanism: b.CKM_RSA_PKCS_PSS,
              parameter: {
                type: b.CK_PARAMS_RSA_PSS,
                hashAlg: hashMechanism(b, algorithm.hash),
                mgf: mgfOf(b, algorithm.hash),
                saltLen: digest.length,
              } as RsaPSS,
            },
            key,
            "sign",
            digest,
            1024,
          ),
        );
      case "ecdsa":
        this.#need(b.CKM_ECDSA, "CKM_ECDSA", algorithmName);
        return keys.withKey(material.token, (s, key) =>
          run(s, { mechanism: b.CKM_ECDSA }, key, "sign", digest, 160),
        );
      case "hmac":
        throw KeyVaultErrors.algorithmNotSupportedByToken(algorithmName, "HMAC with an AES key object");
    }
  }

  async rsaDecrypt(
    material: TokenKeyMaterial,
    scheme: "oaep" | "pkcs1v15",
    hash: HashName | undefined,
    algorithmName: string,
    ciphertext: Buffer,
  ): Promise<Buffer> {
    const keys = this.#keys();
    const b = keys.token.binding;
    const mechanism =
      scheme === "oaep"
        ? {
            mechanism: b.CKM_RSA_PKCS_OAEP,
            parameter: {
              type: b.CK_PARAMS_RSA_OAEP,
              hashAlg: hashMechanism(b, hash as HashName),
              mgf: mgfOf(b, hash as HashName),
              source: CKZ_DATA_SPECIFIED,
            } as RsaOAEP,
          }
        : { mechanism: b.CKM_RSA_PKCS };
    this.#need(mechanism.mechanism, scheme === "oaep" ? "CKM_RSA_PKCS_OAEP" : "CKM_RSA_PKCS", algorithmName);
    const work = keys.withKey(material.token, (s, key) =>
      run(s, mechanism, key, "decrypt", ciphertext, ciphertext.length),
    );
    return refuseUndecryptable(
      refuseParameters(work, algorithmName, `CKM_RSA_PKCS_OAEP with ${hash ?? ""} (and MGF1 with it)`),
      "The value could not be decrypted with this key and algorithm.",
    );
  }

  async aesGcmEncrypt(
    material: TokenKeyMaterial,
    algorithmName: string,
    plaintext: Buffer,
    aad: Buffer | undefined,
  ) {
    const keys = this.#keys();
    const b = keys.token.binding;
    this.#need(b.CKM_AES_GCM, "CKM_AES_GCM", algorithmName);
    return keys.withKey(material.token, async (s, key) => {
      const iv = s.p11.C_GenerateRandom(s.session, Buffer.alloc(GCM_IV_BYTES));
      const out = await run(s, gcm(b, iv, aad), key, "encrypt", plaintext, plaintext.length + GCM_TAG_BYTES);
      return {
        ciphertext: out.subarray(0, out.length - GCM_TAG_BYTES),
        tag: out.subarray(out.length - GCM_TAG_BYTES),
        iv,
      };
    });
  }

  async aesGcmDecrypt(
    material: TokenKeyMaterial,
    algorithmName: string,
    ciphertext: Buffer,
    iv: Buffer,
    tag: Buffer,
    aad: Buffer | undefined,
  ): Promise<Buffer> {
    const keys = this.#keys();
    const b = keys.token.binding;
    this.#need(b.CKM_AES_GCM, "CKM_AES_GCM", algorithmName);
    if (tag.length !== GCM_TAG_BYTES)
      throw KeyVaultErrors.badParameter(`Invalid input: the tag must be ${GCM_TAG_BYTES} bytes.`);
    if (iv.length !== GCM_IV_BYTES)
      throw KeyVaultErrors.badParameter(`Invalid input: the iv must be ${GCM_IV_BYTES} bytes.`);
    return refuseUndecryptable(
      keys.withKey(material.token, (s, key) =>
        run(
          s,
          gcm(b, iv, aad),
          key,
          "decrypt",
          Buffer.concat([ciphertext, tag]),
          ciphertext.length + GCM_TAG_BYTES,
        ),
      ),
      "Decryption failed: the data did not authenticate under this key (wrong key, iv, aad or tag, or altered data).",
    );
  }

  async aesCbc(
    material: TokenKeyMaterial,
    algorithmName: string,
    operation: "encrypt" | "decrypt",
    data: Buffer,
    iv: Buffer,
    pad: boolean,
  ): Promise<Buffer> {
    const keys = this.#keys();
    const b = keys.token.binding;
    const mechanism = pad ? b.CKM_AES_CBC_PAD : b.CKM_AES_CBC;
    this.#need(mechanism, pad ? "CKM_AES_CBC_PAD" : "CKM_AES_CBC", algorithmName);
    if (iv.length !== CBC_IV_BYTES)
      throw KeyVaultErrors.badParameter(`Invalid input: the iv must be ${CBC_IV_BYTES} bytes.`);
    if (!pad && data.length % 16 !== 0) {
      // The software backend's words (aes-encryption.ts), so clients see one answer.
      throw KeyVaultErrors.badParameter(
        operation === "encrypt"
          ? "Invalid input: without padding, the plaintext must be a whole number of 16-byte blocks."
          : "Invalid input: the ciphertext must be a whole number of 16-byte blocks.",
      );
    }
    return refuseUndecryptable(
      keys.withKey(material.token, (s, key) =>
        run(s, { mechanism, parameter: iv }, key, operation, data, data.length + 32),
      ),
      "Decryption failed: the padding is not valid under this key and iv.",
    );
  }

  /** The token's AES key wrap mechanism for A*KW / A*KWPAD, refused where the token lacks it or gets KWP wrong. */
  async #keyWrapMechanism(algorithm: CipherAlgorithm, algorithmName: string) {
    const keys = this.#keys();
    const b = keys.token.binding;
    const pad = algorithm.scheme === "kw" && algorithm.pad;
    const mechanism = pad ? b.CKM_AES_KEY_WRAP_PAD : b.CKM_AES_KEY_WRAP;
    this.#need(mechanism, pad ? "CKM_AES_KEY_WRAP_PAD" : "CKM_AES_KEY_WRAP", algorithmName);
    if (pad && !(await keys.wrapPadFollowsRfc5649())) {
      throw KeyVaultErrors.algorithmNotSupportedByToken(
        algorithmName,
        "a CKM_AES_KEY_WRAP_PAD that gives RFC 5649's results (its output differs from RFC 5649's test vectors)",
      );
    }
    return { keys, b, pad, mechanism };
  }

  /** A*KW / A*KWPAD: the bytes become a session key object the token wraps (C_WrapKey), then go. */
  async aesWrap(
    material: TokenKeyMaterial,
    algorithm: CipherAlgorithm,
    algorithmName: string,
    value: Buffer,
  ): Promise<Buffer> {
    const { keys, b, pad, mechanism } = await this.#keyWrapMechanism(algorithm, algorithmName);
    if (pad ? value.length === 0 : value.length < 16 || value.length % 8 !== 0) {
      throw KeyVaultErrors.badParameter(
        pad
          ? "Invalid input: the key to wrap is empty."
          : "Invalid input: the key to wrap must be at least 16 bytes and a multiple of 8 bytes.",
      );
    }
    return keys.withKey(material.token, async (s, key) => {
      const temporary = s.p11.C_CreateObject(s.session, [
        { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
        { type: b.CKA_KEY_TYPE, value: b.CKK_GENERIC_SECRET },
        { type: b.CKA_TOKEN, value: false },
        { type: b.CKA_EXTRACTABLE, value: true },
        { type: b.CKA_VALUE, value },
      ]);
      try {
        return Buffer.from(
          await s.p11.C_WrapKeyAsync(
            s.session,
            { mechanism },
            key,
            temporary,
            Buffer.alloc(value.length + 16),
          ),
        );
      } finally {
        s.p11.C_DestroyObject(s.session, temporary);
      }
    });
  }

  async aesUnwrap(
    material: TokenKeyMaterial,
    algorithm: CipherAlgorithm,
    algorithmName: string,
    wrapped: Buffer,
  ): Promise<Buffer> {
    const { keys, b, mechanism } = await this.#keyWrapMechanism(algorithm, algorithmName);
    if (wrapped.length < 16 || wrapped.length % 8 !== 0) {
      throw KeyVaultErrors.badParameter(
        "Invalid input: the wrapped key must be at least 16 bytes and a multiple of 8 bytes.",
      );
    }
    return refuseUndecryptable(
      keys.withKey(material.token, async (s, key) => {
        const unwrapped = await s.p11.C_UnwrapKeyAsync(s.session, { mechanism }, key, wrapped, [
          { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
          { type: b.CKA_KEY_TYPE, value: b.CKK_GENERIC_SECRET },
          { type: b.CKA_TOKEN, value: false },
          { type: b.CKA_SENSITIVE, value: false },
          { type: b.CKA_EXTRACTABLE, value: true },
        ]);
        try {
          return Buffer.from(
            s.p11.C_GetAttributeValue(s.session, unwrapped, [{ type: b.CKA_VALUE }])[0]?.value as Buffer,
          );
        } finally {
          s.p11.C_DestroyObject(s.session, unwrapped);
        }
      }),
      "Decryption failed: the data did not authenticate under this key (wrong key, iv, aad or tag, or altered data).",
    );
  }

  #keys(): TokenKeys {
    if (!this.keys) {
      throw KeyVaultErrors.hsmDeviceUnavailable(
        "this key lives in a PKCS#11 token, and this HSM runs --hsm-backend software",
      );
    }
    return this.keys;
  }

  #need(mechanism: number, name: string, algorithmName: string): void {
    if (!this.#keys().has(mechanism)) throw KeyVaultErrors.algorithmNotSupportedByToken(algorithmName, name);
  }
}

type Mechanism = Parameters<TokenSession["p11"]["C_SignInit"]>[1];

/** One single-part operation: Init then the call on libuv's threads. */
async function run(
  { p11, session }: TokenSession,
  mechanism: Mechanism,
  key: Buffer,
  operation: "sign" | "encrypt" | "decrypt",
  data: Buffer,
  outBytes: number,
): Promise<Buffer> {
  const out = Buffer.alloc(Math.max(outBytes, 16) + 32);
  switch (operation) {
    case "sign":
      p11.C_SignInit(session, mechanism, key);
      return Buffer.from(await p11.C_SignAsync(session, data, out));
    case "encrypt":
      p11.C_EncryptInit(session, mechanism, key);
      return Buffer.from(await p11.C_EncryptAsync(session, data, out));
    case "decrypt":
      p11.C_DecryptInit(session, mechanism, key);
      return Buffer.from(await p11.C_DecryptAsync(session, data, out));
  }
}

function gcm(b: Pkcs11Binding, iv: Buffer, aad: Buffer | undefined): Mechanism {
  return {
    mechanism: b.CKM_AES_GCM,
    parameter: {
      type: b.CK_PARAMS_AES_GCM,
      iv,
      ivBits: iv.length * 8,
      aad: aad ?? Buffer.alloc(0),
      tagBits: GCM_TAG_BYTES * 8,
    } as AesGCM,
  };
}

function hashMechanism(b: Pkcs11Binding, hash: HashName): number {
  return { sha1: b.CKM_SHA_1, sha256: b.CKM_SHA256, sha384: b.CKM_SHA384, sha512: b.CKM_SHA512 }[hash];
}

function mgfOf(b: Pkcs11Binding, hash: HashName): number {
  return {
    sha1: b.CKG_MGF1_SHA1,
    sha256: b.CKG_MGF1_SHA256,
    sha384: b.CKG_MGF1_SHA384,
    sha512: b.CKG_MGF1_SHA512,
  }[hash];
}

/**
 * A ciphertext the token will not decrypt is the request's fault: 400 with the software
 * backend's wording. (The token says so with CKR_ENCRYPTED_DATA_*, or SoftHSM's
 * CKR_GENERAL_ERROR for a GCM tag, or CKR_WRAPPED_KEY_* for key unwrap.) A device failure stays
 * the 503 the session pool made of it.
 */
async function refuseUndecryptable<T>(work: Promise<T>, message: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "number" && UNDECRYPTABLE.has(code)) throw KeyVaultErrors.badParameter(message);
    throw error;
  }
}

/**
 * A mechanism the token has, with parameters it does not take (SoftHSM 2.6 does OAEP with SHA-1
 * only, and answers CKR_ARGUMENTS_BAD for SHA-256): the algorithm is not supported here.
 */
async function refuseParameters<T>(work: Promise<T>, algorithmName: string, what: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 0x07 || code === 0x71)
      throw KeyVaultErrors.algorithmNotSupportedByToken(algorithmName, what);
    throw error;
  }
}

/** CKR_ENCRYPTED_DATA_INVALID, _LEN_RANGE, CKR_GENERAL_ERROR, CKR_FUNCTION_FAILED, CKR_WRAPPED_KEY_INVALID, _LEN_RANGE, CKR_DATA_LEN_RANGE. */
const UNDECRYPTABLE = new Set([0x40, 0x41, 0x05, 0x06, 0x110, 0x112, 0x21]);
