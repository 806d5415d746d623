import { createCipheriv, createHash, hkdfSync } from "node:crypto";
import type { Pkcs11Token, TokenSession } from "./pkcs11-token.js";

/**
 * The HSM's keys as objects in the PKCS#11 token. Each key version is a token object
 * (CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE: its value cannot be read), labelled "<name>/<version>"
 * and identified (CKA_ID) by this security domain and the key's name, so a purge finds and
 * destroys every version.
 *
 * Keys leave the token only wrapped (C_WrapKey, CKM_AES_KEY_WRAP_PAD) under the domain wrapping
 * key: an AES key derived from the domain key and put in the token as a session object that is
 * itself sensitive and not extractable. That wrapped form is what the store keeps (sealed again
 * by the barrier) and what backups carry, so a restore into another token of the same security
 * domain unwraps the key into it, and no backup, database or log ever holds a key in the clear.
 *
 * PKCS#11 lets C_WrapKey touch extractable keys only, so the keys are CKA_EXTRACTABLE. Where the
 * token lets the user mark the wrapping key CKA_TRUSTED, keys are also CKA_WRAP_WITH_TRUSTED and
 * no other key can wrap them; SoftHSM (and most tokens) reserve CKA_TRUSTED to the security
 * officer, and then any holder of the user PIN could wrap a key under a key of its own
 * (docs/pkcs11.md says so). The PIN is the HSM's, as the token is.
 */
export type TokenKeyKind = "RSA" | "EC" | "AES";

/** What the store keeps for a key in the token: enough to find it, or put it back. */
export interface TokenKeyReference {
  kind: TokenKeyKind;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  /** The key wrapped under the domain wrapping key (RFC 5649): PKCS#8 for key pairs, the value for AES. */
  wrapped: Buffer;
}

export interface GeneratedTokenKey {
  reference: TokenKeyReference;
  /** The public key's parts, read from the token: RSA modulus and exponent, or the EC point. */
  publicParts?: { modulus: Buffer; publicExponent: Buffer } | { ecPoint: Buffer };
}

/** Key Vault's curves by the DER of their OIDs (CKA_EC_PARAMS). */
export const EC_CURVE_OIDS = {
  "P-256": "06082a8648ce3d030107",
  "P-384": "06052b81040022",
  "P-521": "06052b81040023",
  "P-256K": "06052b8104000a",
} as const;

const WRAP_LABEL = "mhsm domain wrapping key (session)";

export class TokenKeys {
  readonly #domainId: string;
  readonly #wrapKeyValue: Buffer;
  #wrapKey: { generation: number; handle: Buffer } | undefined;
  #generation = 0;
  /** Token objects found or unwrapped, by label: handles stay valid while the sessions do. */
  readonly #handles = new Map<string, { generation: number; handle: Buffer }>();
  /** Whether keys can be CKA_WRAP_WITH_TRUSTED (the token took CKA_TRUSTED on the wrapping key). */
  trustedWrap = false;

  constructor(
    readonly token: Pkcs11Token,
    domainKey: Buffer,
  ) {
    this.#wrapKeyValue = hkdf(domainKey, "mhsm pkcs11 key wrap v1");
    this.#domainId = hkdf(domainKey, "mhsm pkcs11 object id v1").subarray(0, 8).toString("hex");
    token.onReconnect((session) => {
      this.#generation += 1;
      this.#handles.clear();
      this.#wrapKey = undefined;
      this.#ensureWrapKey(session);
    });
  }

  /** CKA_ID of every version of a key: this domain's, so two HSMs on one token never collide. */
  idOf(name: string): string {
    return createHash("sha256").update(`${this.#domainId}/${name.toLowerCase()}`).digest("hex").slice(0, 32);
  }

  has(mechanism: number): boolean {
    return this.token.hasMechanism(mechanism);
  }

  async generateRsa(
    name: string,
    version: string,
    bits: number,
    publicExponent: number,
  ): Promise<GeneratedTokenKey> {
    return this.#generatePair("RSA", name, version, (b) => ({
      mechanism: { mechanism: b.CKM_RSA_PKCS_KEY_PAIR_GEN },
      publicTemplate: [
        { type: b.CKA_MODULUS_BITS, value: bits },
        { type: b.CKA_PUBLIC_EXPONENT, value: unsignedBytes(publicExponent) },
      ],
      privateUse: [
        { type: b.CKA_SIGN, value: true },
        { type: b.CKA_DECRYPT, value: true },
        { type: b.CKA_UNWRAP, value: true },
      ],
    }));
  }

  async generateEc(name: string, version: string, curveOid: string): Promise<GeneratedTokenKey> {
    return this.#generatePair("EC", name, version, (b) => ({
      mechanism: { mechanism: b.CKM_EC_KEY_PAIR_GEN },
      publicTemplate: [{ type: b.CKA_EC_PARAMS, value: Buffer.from(curveOid, "hex") }],
      privateUse: [{ type: b.CKA_SIGN, value: true }],
    }));
  }

  async generateAes(name: string, version: string, bits: number): Promise<GeneratedTokenKey> {
    return this.token.withSession(async (session) => {
      const { p11, binding: b } = session;
      const label = `${name}/${version}`;
      const handle = await p11.C_GenerateKeyAsync(session.session, { mechanism: b.CKM_AES_KEY_GEN }, [
        ...this.#secretTemplate(session, label, this.idOf(name)),
        { type: b.CKA_VALUE_LEN, value: bits / 8 },
      ]);
      return { reference: await this.#reference(session, "AES", label, this.idOf(name), handle) };
    });
  }

  /**
   * Puts key material that arrived from outside (an import) into the token: wrapped here under
   * the domain wrapping key (RFC 5649, OpenSSL) and unwrapped by the token, the one way PKCS#11
   * takes a sensitive key in. `material`: PKCS#8 DER for key pairs, the value for AES.
   */
  async importKey(
    kind: TokenKeyKind,
    name: string,
    version: string,
    material: Buffer,
  ): Promise<TokenKeyReference> {
    const cipher = createCipheriv("id-aes256-wrap-pad", this.#wrapKeyValue, Buffer.from("A65959A6", "hex"));
    const wrapped = Buffer.concat([cipher.update(material), cipher.final()]);
    const reference = { kind, label: `${name}/${version}`, id: this.idOf(name), wrapped };
    await this.token.withSession((session) => this.#unwrapInto(session, reference));
    return reference;
  }

  /** The token object of a key: found by its label, or unwrapped from the store's wrapped form. */
  async withKey<T>(
    reference: TokenKeyReference,
    use: (session: TokenSession, handle: Buffer) => Promise<T> | T,
  ): Promise<T> {
    return this.token.withSession(async (session) => {
      const cached = this.#handles.get(reference.label);
      const handle = cached && cached.generation === this.#generation ? cached.handle : undefined;
      if (handle) {
        try {
          return await use(session, handle);
        } catch (error) {
          // CKR_OBJECT_HANDLE_INVALID: the object went (a purge on another node); look again.
          if ((error as { code?: unknown }).code !== 0x82) throw error;
          this.#handles.delete(reference.label);
        }
      }
      const found = findObject(session, reference) ?? this.#unwrapInto(session, reference);
      this.#handles.set(reference.label, { generation: this.#generation, handle: found });
      return use(session, found);
    });
  }

  #wrapPadConformance: Promise<boolean> | undefined;

  /**
   * Whether the token's CKM_AES_KEY_WRAP_PAD gives RFC 5649's results (its §6 test vector).
   * SoftHSM 2.6's does not, so clients' A*KWPAD requests are refused there rather than answered
   * with ciphertexts no other implementation opens. (The HSM's own wrapping of keys for the store
   * only needs the token to open what it wrapped, and that holds.)
   */
  wrapPadFollowsRfc5649(): Promise<boolean> {
    this.#wrapPadConformance ??= this.token
      .withSession(({ p11, session, binding: b }) => {
        const kek = p11.C_CreateObject(session, [
          { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
          { type: b.CKA_KEY_TYPE, value: b.CKK_AES },
          { type: b.CKA_TOKEN, value: false },
          { type: b.CKA_WRAP, value: true },
          {
            type: b.CKA_VALUE,
            value: Buffer.from("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", "hex"),
          },
        ]);
        const data = p11.C_CreateObject(session, [
          { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
          { type: b.CKA_KEY_TYPE, value: b.CKK_GENERIC_SECRET },
          { type: b.CKA_TOKEN, value: false },
          { type: b.CKA_EXTRACTABLE, value: true },
          { type: b.CKA_VALUE, value: Buffer.from("c37b7e6492584340bed12207808941155068f738", "hex") },
        ]);
        try {
          const wrapped = p11.C_WrapKey(
            session,
            { mechanism: b.CKM_AES_KEY_WRAP_PAD },
            kek,
            data,
            Buffer.alloc(64),
          );
          return (
            wrapped.toString("hex") === "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"
          );
        } catch {
          return false;
        } finally {
          p11.C_DestroyObject(session, data);
          p11.C_DestroyObject(session, kek);
        }
      })
      .catch((error: unknown) => {
        this.#wrapPadConformance = undefined;
        throw error;
      });
    return this.#wrapPadConformance;
  }

  /** Destroys one version's token object (a key version whose write to the store failed). */
  async destroy(reference: TokenKeyReference): Promise<void> {
    await this.token.withSession((session) => {
      const handle = findObject(session, reference);
      if (handle) session.p11.C_DestroyObject(session.session, handle);
      this.#handles.delete(reference.label);
    });
  }

  /** Destroys every token object of a key (a purge); returns how many there were. */
  async destroyAll(name: string): Promise<number> {
    const id = this.idOf(name);
    return this.token.withSession(({ p11, session, binding: b }) => {
      p11.C_FindObjectsInit(session, [{ type: b.CKA_ID, value: Buffer.from(id, "hex") }]);
      const found = p11.C_FindObjects(session, 10_000);
      p11.C_FindObjectsFinal(session);
      for (const handle of found) p11.C_DestroyObject(session, handle);
      for (const label of [...this.#handles.keys()]) {
        if (label.toLowerCase().startsWith(`${name.toLowerCase()}/`)) this.#handles.delete(label);
      }
      return found.length;
    });
  }

  async #generatePair(
    kind: "RSA" | "EC",
    name: string,
    version: string,
    spec: (b: TokenSession["binding"]) => {
      mechanism: { mechanism: number };
      publicTemplate: Array<{ type: number; value: unknown }>;
      privateUse: Array<{ type: number; value: unknown }>;
    },
  ): Promise<GeneratedTokenKey> {
    return this.token.withSession(async (session) => {
      const { p11, binding: b } = session;
      const label = `${name}/${version}`;
      const id = this.idOf(name);
      const { mechanism, publicTemplate, privateUse } = spec(b);
      const pair = await p11.C_GenerateKeyPairAsync(
        session.session,
        mechanism,
        // The public half is a session object: its parts go to the store; it is not needed after.
        [
          { type: b.CKA_TOKEN, value: false },
          { type: b.CKA_VERIFY, value: true },
          ...(publicTemplate as Array<{ type: number; value: number | Buffer }>),
        ],
        [
          ...this.#privateTemplate(session, label, id),
          ...(privateUse as Array<{ type: number; value: boolean }>),
        ],
      );
      try {
        const publicParts =
          kind === "RSA"
            ? (() => {
                const [modulus, exponent] = p11.C_GetAttributeValue(session.session, pair.publicKey, [
                  { type: b.CKA_MODULUS },
                  { type: b.CKA_PUBLIC_EXPONENT },
                ]);
                return { modulus: modulus?.value as Buffer, publicExponent: exponent?.value as Buffer };
              })()
            : {
                ecPoint: p11.C_GetAttributeValue(session.session, pair.publicKey, [
                  { type: b.CKA_EC_POINT },
                ])[0]?.value as Buffer,
              };
        return { reference: await this.#reference(session, kind, label, id, pair.privateKey), publicParts };
      } finally {
        p11.C_DestroyObject(session.session, pair.publicKey);
      }
    });
  }

  async #reference(
    session: TokenSession,
    kind: TokenKeyKind,
    label: string,
    id: string,
    handle: Buffer,
  ): Promise<TokenKeyReference> {
    const { p11, binding: b } = session;
    const wrapped = await p11.C_WrapKeyAsync(
      session.session,
      { mechanism: b.CKM_AES_KEY_WRAP_PAD },
      this.#ensureWrapKey(session),
      handle,
      Buffer.alloc(16_384),
    );
    this.#handles.set(label, { generation: this.#generation, handle });
    return { kind, label, id, wrapped: Buffer.from(wrapped) };
  }

  #unwrapInto(session: TokenSession, reference: TokenKeyReference): Buffer {
    const { p11, binding: b } = session;
    const template =
      reference.kind === "AES"
        ? [
            { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
            { type: b.CKA_KEY_TYPE, value: b.CKK_AES },
            ...this.#secretTemplate(session, reference.label, reference.id),
          ]
        : [
            { type: b.CKA_CLASS, value: b.CKO_PRIVATE_KEY },
            { type: b.CKA_KEY_TYPE, value: reference.kind === "RSA" ? b.CKK_RSA : b.CKK_EC },
            ...this.#privateTemplate(session, reference.label, reference.id),
            { type: b.CKA_SIGN, value: true },
            ...(reference.kind === "RSA"
              ? [
                  { type: b.CKA_DECRYPT, value: true },
                  { type: b.CKA_UNWRAP, value: true },
                ]
              : []),
          ];
    const handle = p11.C_UnwrapKey(
      session.session,
      { mechanism: b.CKM_AES_KEY_WRAP_PAD },
      this.#ensureWrapKey(session),
      reference.wrapped,
      template,
    );
    this.#handles.set(reference.label, { generation: this.#generation, handle });
    return handle;
  }

  #privateTemplate({ binding: b }: TokenSession, label: string, id: string) {
    return [
      { type: b.CKA_TOKEN, value: true },
      { type: b.CKA_PRIVATE, value: true },
      { type: b.CKA_SENSITIVE, value: true },
      { type: b.CKA_EXTRACTABLE, value: true },
      { type: b.CKA_WRAP_WITH_TRUSTED, value: this.trustedWrap },
      { type: b.CKA_LABEL, value: label },
      { type: b.CKA_ID, value: Buffer.from(id, "hex") },
    ];
  }

  #secretTemplate(session: TokenSession, label: string, id: string) {
    const b = session.binding;
    return [
      ...this.#privateTemplate(session, label, id),
      { type: b.CKA_ENCRYPT, value: true },
      { type: b.CKA_DECRYPT, value: true },
      { type: b.CKA_WRAP, value: true },
      { type: b.CKA_UNWRAP, value: true },
      { type: b.CKA_SIGN, value: false },
      { type: b.CKA_VERIFY, value: false },
    ];
  }

  /**
   * The domain wrapping key as a session object (gone when the sessions close; made again after
   * a reconnection). Sensitive, not extractable; CKA_TRUSTED where the token lets the user set it.
   */
  #ensureWrapKey(session: TokenSession): Buffer {
    if (this.#wrapKey && this.#wrapKey.generation === this.#generation) return this.#wrapKey.handle;
    const { p11, binding: b } = session;
    const template = [
      { type: b.CKA_CLASS, value: b.CKO_SECRET_KEY },
      { type: b.CKA_KEY_TYPE, value: b.CKK_AES },
      { type: b.CKA_TOKEN, value: false },
      { type: b.CKA_PRIVATE, value: true },
      { type: b.CKA_SENSITIVE, value: true },
      { type: b.CKA_EXTRACTABLE, value: false },
      { type: b.CKA_WRAP, value: true },
      { type: b.CKA_UNWRAP, value: true },
      { type: b.CKA_ENCRYPT, value: false },
      { type: b.CKA_DECRYPT, value: false },
      { type: b.CKA_LABEL, value: WRAP_LABEL },
      { type: b.CKA_VALUE, value: this.#wrapKeyValue },
    ];
    let handle: Buffer;
    try {
      handle = p11.C_CreateObject(session.session, [...template, { type: b.CKA_TRUSTED, value: true }]);
      this.trustedWrap = true;
    } catch {
      // CKA_TRUSTED is the security officer's to set on this token (SoftHSM): an ordinary key.
      handle = p11.C_CreateObject(session.session, template);
      this.trustedWrap = false;
    }
    this.#wrapKey = { generation: this.#generation, handle };
    return handle;
  }
}

function findObject(
  { p11, session, binding: b }: TokenSession,
  reference: TokenKeyReference,
): Buffer | undefined {
  p11.C_FindObjectsInit(session, [
    { type: b.CKA_CLASS, value: reference.kind === "AES" ? b.CKO_SECRET_KEY : b.CKO_PRIVATE_KEY },
    { type: b.CKA_LABEL, value: reference.label },
    { type: b.CKA_ID, value: Buffer.from(reference.id, "hex") },
  ]);
  const found = p11.C_FindObjects(session, 1);
  p11.C_FindObjectsFinal(session);
  return found[0];
}

function hkdf(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), Buffer.from(purpose, "utf8"), 32));
}

/** A positive integer as big-endian bytes, no leading zeros (CKA_PUBLIC_EXPONENT). */
function unsignedBytes(value: number): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
}
