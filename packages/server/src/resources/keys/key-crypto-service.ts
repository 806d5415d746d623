import { randomBytes } from "node:crypto";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { CBC_IV_BYTES, cbcDecrypt, cbcEncrypt, gcmDecrypt, gcmEncrypt } from "./crypto/aes-encryption.js";
import { aesUnwrap, aesWrap } from "./crypto/aes-key-wrap.js";
import { EcdsaKey, verifyEcdsaWithPublicKey } from "./crypto/ec-signature.js";
import { signHmac, verifyHmac } from "./crypto/hmac-signature.js";
import type { PrivateKeySigner } from "./crypto/private-key-signer.js";
import { verifyPkcs1, verifyPss } from "./crypto/rsa-signature.js";
import { TokenKeyCrypto } from "./crypto/token-key-crypto.js";
import {
  aesOrRefuse,
  refuseFields,
  requiredField,
  rsaDecryptOrRefuse,
  rsaEncryptOrRefuse,
} from "./crypto-failures.js";
import {
  type CipherAlgorithm,
  type CryptoOperation,
  ENCRYPTION_ALGORITHMS,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
  WRAP_ALGORITHMS,
} from "./key-algorithms.js";
import type { KeyLookup } from "./key-lookup.js";
import { type KeyMaterial, type SoftwareKeyMaterial, isTokenMaterial } from "./key-material.js";
import type { KeyMaterialCache } from "./key-material-cache.js";
import type { KeyVersion } from "./key-model.js";
import { checkAlgorithmFits, checkDigest, checkKeyUsable, findAlgorithm } from "./key-use-rules.js";

export interface CipherInput {
  algorithm: string;
  value: Buffer;
  iv?: Buffer;
  aad?: Buffer;
  tag?: Buffer;
}

export interface CipherOutput {
  /** The version that did the work (for the kid). */
  key: KeyVersion;
  value: Buffer;
  iv?: Buffer;
  tag?: Buffer;
  aad?: Buffer;
}

type UsableKey<M extends KeyMaterial["kty"]> = {
  version: KeyVersion;
  material: Extract<SoftwareKeyMaterial, { kty: M }>;
};

/** An AES key, held by this process or in the token. */
type AesKeyMaterial =
  UsableKey<"oct-HSM">["material"] | Extract<KeyMaterial, { token: object; kty: "oct-HSM" }>;

/** The AES operations encrypt and decrypt use, whoever holds the key. */
interface AesEngine {
  gcmEncrypt(
    plaintext: Buffer,
    aad: Buffer | undefined,
  ): Promise<{ ciphertext: Buffer; iv: Buffer; tag: Buffer }>;
  gcmDecrypt(ciphertext: Buffer, iv: Buffer, tag: Buffer, aad: Buffer | undefined): Promise<Buffer>;
  cbc(operation: "encrypt" | "decrypt", data: Buffer, iv: Buffer, pad: boolean): Promise<Buffer>;
}

/**
 * The cryptographic operations on keys. Each one checks, in order: the key exists and is live,
 * the algorithm fits the key (type, curve, AES size), the key's key_ops allow the operation,
 * the key is enabled and inside its nbf/exp window; then the inputs, then does the work.
 * Any failure is a DomainError with a message that names the problem and never the data.
 */
export class KeyCryptoService {
  readonly #ecdsaKeys = new WeakMap<object, EcdsaKey>();

  constructor(
    private readonly lookup: KeyLookup,
    private readonly materialCache: KeyMaterialCache,
    private readonly signer: PrivateKeySigner,
    private readonly clock: () => number = Date.now,
    /** Keys in a PKCS#11 token (--hsm-backend pkcs11); without a token such keys answer 503. */
    private readonly tokenCrypto: TokenKeyCrypto = new TokenKeyCrypto(undefined),
  ) {}

  async encrypt(name: string, version: string | undefined, input: CipherInput): Promise<CipherOutput> {
    const algorithm = findAlgorithm(ENCRYPTION_ALGORITHMS, input.algorithm, "encrypt");
    const { version: key, material } = await this.usableKey(name, version, "encrypt", algorithm);
    if (material.kty === "RSA-HSM" && (algorithm.scheme === "oaep" || algorithm.scheme === "pkcs1v15")) {
      refuseFields(input, ["iv", "aad", "tag"], input.algorithm);
      const hash = algorithm.scheme === "oaep" ? algorithm.hash : undefined;
      return {
        key,
        value: rsaEncryptOrRefuse(material.publicKey, algorithm.scheme, hash, input.value, input.algorithm),
      };
    }
    const aes = this.aesEngine(material as AesKeyMaterial, input.algorithm);
    if (algorithm.scheme === "gcm") {
      refuseFields(input, ["tag"], input.algorithm);
      if (input.iv !== undefined) {
        throw KeyVaultErrors.badParameter(
          `${input.algorithm} encryption takes no iv: the HSM generates a fresh one and returns it.`,
        );
      }
      const result = await aes.gcmEncrypt(input.value, input.aad);
      return { key, value: result.ciphertext, iv: result.iv, tag: result.tag, aad: input.aad };
    }
    refuseFields(input, ["aad", "tag"], input.algorithm);
    const iv = input.iv ?? randomBytes(CBC_IV_BYTES);
    return { key, value: await aes.cbc("encrypt", input.value, iv, algorithm.scheme === "cbcpad"), iv };
  }

  async decrypt(name: string, version: string | undefined, input: CipherInput): Promise<CipherOutput> {
    const algorithm = findAlgorithm(ENCRYPTION_ALGORITHMS, input.algorithm, "decrypt");
    const { version: key, material } = await this.usableKey(name, version, "decrypt", algorithm);
    if (material.kty === "RSA-HSM" && (algorithm.scheme === "oaep" || algorithm.scheme === "pkcs1v15")) {
      refuseFields(input, ["iv", "aad", "tag"], input.algorithm);
      const hash = algorithm.scheme === "oaep" ? algorithm.hash : undefined;
      return { key, value: await this.rsaDecrypt(material, algorithm.scheme, hash, input) };
    }
    const aes = this.aesEngine(material as AesKeyMaterial, input.algorithm);
    const iv = requiredField(
      input.iv,
      `${input.algorithm} decryption needs the iv that encryption returned.`,
    );
    if (algorithm.scheme === "gcm") {
      const tag = requiredField(
        input.tag,
        `${input.algorithm} decryption needs the authentication tag that encryption returned.`,
      );
      return { key, value: await aes.gcmDecrypt(input.value, iv, tag, input.aad) };
    }
    refuseFields(input, ["aad", "tag"], input.algorithm);
    return { key, value: await aes.cbc("decrypt", input.value, iv, algorithm.scheme === "cbcpad") };
  }

  async wrapKey(name: string, version: string | undefined, input: CipherInput): Promise<CipherOutput> {
    const algorithm = findAlgorithm(WRAP_ALGORITHMS, input.algorithm, "wrapKey");
    const { version: key, material } = await this.usableKey(name, version, "wrapKey", algorithm);
    refuseFields(input, ["iv", "aad", "tag"], input.algorithm);
    if (material.kty === "RSA-HSM" && (algorithm.scheme === "oaep" || algorithm.scheme === "pkcs1v15")) {
      const hash = algorithm.scheme === "oaep" ? algorithm.hash : undefined;
      return {
        key,
        value: rsaEncryptOrRefuse(material.publicKey, algorithm.scheme, hash, input.value, input.algorithm),
      };
    }
    if (isTokenMaterial(material)) {
      return {
        key,
        value: await this.tokenCrypto.aesWrap(material, algorithm, input.algorithm, input.value),
      };
    }
    const secret = (material as UsableKey<"oct-HSM">["material"]).secret;
    const pad = algorithm.scheme === "kw" && algorithm.pad;
    return aesOrRefuse(() => ({ key, value: aesWrap(secret, input.value, pad) }));
  }

  async unwrapKey(name: string, version: string | undefined, input: CipherInput): Promise<CipherOutput> {
    const algorithm = findAlgorithm(WRAP_ALGORITHMS, input.algorithm, "unwrapKey");
    const { version: key, material } = await this.usableKey(name, version, "unwrapKey", algorithm);
    refuseFields(input, ["iv", "aad", "tag"], input.algorithm);
    if (material.kty === "RSA-HSM" && (algorithm.scheme === "oaep" || algorithm.scheme === "pkcs1v15")) {
      const hash = algorithm.scheme === "oaep" ? algorithm.hash : undefined;
      return { key, value: await this.rsaDecrypt(material, algorithm.scheme, hash, input) };
    }
    if (isTokenMaterial(material)) {
      return {
        key,
        value: await this.tokenCrypto.aesUnwrap(material, algorithm, input.algorithm, input.value),
      };
    }
    const secret = (material as UsableKey<"oct-HSM">["material"]).secret;
    const pad = algorithm.scheme === "kw" && algorithm.pad;
    return aesOrRefuse(() => ({ key, value: aesUnwrap(secret, input.value, pad) }));
  }

  async sign(
    name: string,
    version: string | undefined,
    algorithmName: string,
    digest: Buffer,
  ): Promise<{ key: KeyVersion; value: Buffer }> {
    const algorithm = findAlgorithm(SIGNATURE_ALGORITHMS, algorithmName, "sign");
    const { version: key, material } = await this.usableKey(name, version, "sign", algorithm);
    checkDigest(algorithm, algorithmName, digest);
    if (isTokenMaterial(material)) {
      return { key, value: await this.tokenCrypto.sign(material, algorithm, algorithmName, digest) };
    }
    switch (material.kty) {
      case "RSA-HSM":
        return {
          key,
          value: await this.signer.sign(material.privateKey, {
            scheme: algorithm.scheme as "pkcs1" | "pss",
            hash: algorithm.hash,
            digest,
          }),
        };
      case "EC-HSM":
        return {
          key,
          value: await this.signer.sign(material.privateKey, {
            scheme: "ecdsa",
            curve: material.curve,
            digest,
          }),
        };
      case "oct-HSM":
        return { key, value: signHmac(material.secret, algorithm.hash, digest) };
    }
  }

  async verify(
    name: string,
    version: string | undefined,
    algorithmName: string,
    digest: Buffer,
    signature: Buffer,
  ): Promise<{ key: KeyVersion; valid: boolean }> {
    const algorithm = findAlgorithm(SIGNATURE_ALGORITHMS, algorithmName, "verify");
    const { version: key, material } = await this.usableKey(name, version, "verify", algorithm);
    checkDigest(algorithm, algorithmName, digest);
    if (isTokenMaterial(material)) {
      // Verification needs only the published public key, which the process holds.
      if (material.kty === "RSA-HSM") {
        const check = algorithm.scheme === "pss" ? verifyPss : verifyPkcs1;
        return { key, valid: check(material.publicKey, algorithm.hash, digest, signature) };
      }
      if (material.kty === "EC-HSM") {
        return {
          key,
          valid: verifyEcdsaWithPublicKey(material.publicKey, material.curve, digest, signature),
        };
      }
      throw KeyVaultErrors.algorithmNotSupportedByToken(algorithmName, "HMAC with an AES key object");
    }
    switch (material.kty) {
      case "RSA-HSM": {
        const check = algorithm.scheme === "pss" ? verifyPss : verifyPkcs1;
        return { key, valid: check(material.publicKey, algorithm.hash, digest, signature) };
      }
      case "EC-HSM":
        return { key, valid: this.ecdsaKey(material).verify(digest, signature) };
      case "oct-HSM":
        return { key, valid: verifyHmac(material.secret, algorithm.hash, digest, signature) };
    }
  }

  /** The EC key's scalar, read once per opened key (material objects live in the cache). */
  private ecdsaKey(material: UsableKey<"EC-HSM">["material"]): EcdsaKey {
    let key = this.#ecdsaKeys.get(material.privateKey);
    if (!key) {
      key = new EcdsaKey(material.privateKey, material.curve);
      this.#ecdsaKeys.set(material.privateKey, key);
    }
    return key;
  }

  /**
   * AES with the key's material, in node:crypto or in the token: encrypt and decrypt apply
   * Key Vault's input rules once, whichever does the work.
   */
  private aesEngine(material: AesKeyMaterial, algorithmName: string): AesEngine {
    if (isTokenMaterial(material)) {
      const token = this.tokenCrypto;
      return {
        gcmEncrypt: (plaintext, aad) => token.aesGcmEncrypt(material, algorithmName, plaintext, aad),
        gcmDecrypt: (ciphertext, iv, tag, aad) =>
          token.aesGcmDecrypt(material, algorithmName, ciphertext, iv, tag, aad),
        cbc: (operation, data, iv, pad) => token.aesCbc(material, algorithmName, operation, data, iv, pad),
      };
    }
    const { secret } = material;
    return {
      gcmEncrypt: async (plaintext, aad) => aesOrRefuse(() => gcmEncrypt(secret, plaintext, aad)),
      gcmDecrypt: async (ciphertext, iv, tag, aad) =>
        aesOrRefuse(() => gcmDecrypt(secret, ciphertext, iv, tag, aad)),
      cbc: async (operation, data, iv, pad) =>
        aesOrRefuse(() =>
          operation === "encrypt" ? cbcEncrypt(secret, data, iv, pad) : cbcDecrypt(secret, data, iv, pad),
        ),
    };
  }

  /** RSA decryption for decrypt and unwrapKey: in the token for a token key, else node:crypto. */
  private async rsaDecrypt(
    material: Extract<KeyMaterial, { kty: "RSA-HSM" }>,
    scheme: "oaep" | "pkcs1v15",
    hash: Parameters<typeof rsaDecryptOrRefuse>[2],
    input: CipherInput,
  ): Promise<Buffer> {
    if (isTokenMaterial(material)) {
      return this.tokenCrypto.rsaDecrypt(material, scheme, hash, input.algorithm, input.value);
    }
    return rsaDecryptOrRefuse(material.privateKey, scheme, hash, input.value);
  }

  private async usableKey(
    name: string,
    version: string | undefined,
    operation: CryptoOperation,
    algorithm: CipherAlgorithm | SignatureAlgorithm,
  ): Promise<{ version: KeyVersion; material: KeyMaterial }> {
    const found = await this.lookup.get(name, version || undefined);
    if (!found || found.key.deletion) throw KeyVaultErrors.keyNotFound(name, version);
    const key = found.version.version;
    checkAlgorithmFits(key, algorithm, operation);
    checkKeyUsable(key, operation, this.clock());
    return { version: key, material: this.materialCache.materialOf(found.version) };
  }
}
