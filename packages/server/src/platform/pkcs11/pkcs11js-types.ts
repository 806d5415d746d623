// The type declarations of pkcs11js 2.1.7 (MIT, PeculiarVentures:
// https://github.com/PeculiarVentures/pkcs11js), as a module of their own. pkcs11js is an
// optional native dependency that may be absent (no C++ toolchain): the server must still
// compile without it, so its types are kept here and the module itself is loaded at run time
// only for --hsm-backend pkcs11 (pkcs11-binding.ts).

/**
 * PKCS#11 handle type
 */
export type Handle = Buffer;

/**
 * Structure that describes the version
 */
export interface Version {
  /**
   * Major version number (the integer portion of the version)
   */
  major: number;
  /**
   * minor version number (the hundredths portion of the version)
   */
  minor: number;
}

/**
 * Provides general information about Cryptoki
 */
export interface ModuleInfo {
  /**
   * Cryptoki interface version number, for compatibility with future revisions of this interface
   */
  cryptokiVersion: Version;
  /**
   * ID of the Cryptoki library manufacturer.
   * Must be padded with the blank character (' ').
   */
  manufacturerID: string;
  /**
   * Bit flags reserved for future versions. Must be zero for this version
   */
  flags: number;
  /**
   * Character-string description of the library.
   * Must be padded with the blank character (' ')
   */
  libraryDescription: string;
  /**
   * Cryptoki library version number
   */
  libraryVersion: Version;
}

/**
 * Provides information about a slot
 */
export interface SlotInfo {
  /**
   * Character-string description of the slot.
   * Must be padded with the blank character (' ')
   */
  slotDescription: string;
  /**
   * ID of the slot manufacturer.
   * Must be padded with the blank character (' ')
   */
  manufacturerID: string;
  /**
   * Bits flags that provide capabilities of the slot
   */
  flags: number;
  /**
   * Version number of the slot's hardware
   */
  hardwareVersion: Version;
  /**
   * Version number of the slot's firmware
   */
  firmwareVersion: Version;
}

/**
 * Provides information about a token
 */
export interface TokenInfo {
  /**
   * Application-defined label, assigned during token initialization.
   * Must be padded with the blank character (' ')
   */
  label: string;
  /**
   * ID of the device manufacturer.
   * Must be padded with the blank character (' ')
   */
  manufacturerID: string;
  /**
   * Model of the device.
   * Must be padded with the blank character (' ')
   */
  model: string;
  /**
   * Character-string serial number of the device.
   * Must be padded with the blank character (' ')
   */
  serialNumber: string;
  /**
   * Bit flags indicating capabilities and status of the device
   */
  flags: number;
  /**
   * Maximum number of sessions that can be opened with the token at one time by a single application
   */
  maxSessionCount: number;
  /**
   * Number of sessions that this application currently has open with the token
   */
  sessionCount: number;
  /**
   * Maximum number of read/write sessions that can be opened with the token at one time by a single application
   */
  maxRwSessionCount: number;
  /**
   * Number of read/write sessions that this application currently has open with the token
   */
  rwSessionCount: number;
  /**
   * Maximum length in bytes of the PIN
   */
  maxPinLen: number;
  /**
   * Minimum length in bytes of the PIN
   */
  minPinLen: number;
  /**
   * version number of hardware
   */
  hardwareVersion: Version;
  /**
   * Version number of firmware
   */
  firmwareVersion: Version;
  /**
   * Current time as a character-string of length 16, represented in the format YYYYMMDDhhmmssxx
   * (4 characters for the year; 2 characters each for the month, the day, the hour, the minute,
   * and the second; and 2 additional reserved '0' characters).
   * The value of this field only makes sense for tokens equipped with a clock,
   * as indicated in the token information flags
   */
  utcTime: string;
  /**
   * The total amount of memory on the token in bytes in which public objects may be stored
   */
  totalPublicMemory: number;
  /**
   * The amount of free (unused) memory on the token in bytes for public objects
   */
  freePublicMemory: number;
  /**
   * The total amount of memory on the token in bytes in which private objects may be stored
   */
  totalPrivateMemory: number;
  /**
   * The amount of free (unused) memory on the token in bytes for private objects
   */
  freePrivateMemory: number;
}

/**
 * Provides information about a particular mechanism
 */
export interface MechanismInfo {
  /**
   * The minimum size of the key for the mechanism
   */
  minKeySize: number;
  /**
   * The maximum size of the key for the mechanism
   */
  maxKeySize: number;
  /**
   * Bit flags specifying mechanism capabilities
   */
  flags: number;
}

/**
 * Provides information about a session
 */
export interface SessionInfo {
  /**
   * ID of the slot that interfaces with the token
   */
  slotID: Buffer;
  /**
   * The state of the session
   */
  state: number;
  /**
   * Bit flags that define the type of session
   */
  flags: number;
  /**
   * An error code defined by the cryptographic device
   */
  deviceError: number;
}

export type Template = Attribute[];

export interface AttributeResult {
  type: number;
  value: Buffer;
}

export type TemplateResult = AttributeResult[];

/**
 * A structure that includes the type and value of an attribute
 */
export interface Attribute {
  /**
   * The attribute type
   */
  type: number;
  /**
   * The value of the attribute
   */
  value?: number | boolean | string | Buffer | Date;
}

/**
 * A structure that specifies a particular mechanism and any parameters it requires
 */
export interface Mechanism {
  /**
   * The type of mechanism
   */
  mechanism: number;
  /**
   * The parameter if required by the mechanism
   */
  parameter?: Buffer | number | IParams;
}

//#region Crypto parameters

/**
 * A base structure of a parameter
 */
export interface IParams {
  /**
   * Type of crypto param. Uses constants CK_PARAMS_*
   */
  type: number;
}

/**
 * A structure that provides the parameters for the {@link CKM_ECDH1_DERIVE} and {@link CKM_ECDH1_COFACTOR_DERIVE}
 * key derivation mechanisms, where each party contributes one key pair
 */
export interface ECDH1 extends IParams {
  /**
   * Key derivation function used on the shared secret value
   */
  kdf: number;
  /**
   * Some data shared between the two parties
   */
  sharedData?: Buffer;
  /**
   * The other party's EC public key
   */
  publicData: Buffer;
}

export interface AesCBC extends IParams {
  iv: Buffer;
  data?: Buffer;
}

export interface AesCCM extends IParams {
  dataLen: number;
  nonce?: Buffer;
  aad?: Buffer;
  macLen: number;
}

export interface AesGCM extends IParams {
  iv?: Buffer;
  aad?: Buffer;
  ivBits: number;
  tagBits: number;
}

export interface RsaOAEP extends IParams {
  hashAlg: number;
  mgf: number;
  source: number;
  sourceData?: Buffer;
}

export interface RsaPSS extends IParams {
  hashAlg: number;
  mgf: number;
  saltLen: number;
}

export interface Ecdh2Derive extends IParams {
  kdf: number;
  sharedData?: Buffer;
  publicData: Buffer;
  privateDataLen: number;
  privateData: Handle;
  publicData2?: Buffer;
}

export interface EcmqvDerive extends IParams {
  kdf: number;
  sharedData?: Buffer;
  publicData: Buffer;
  privateDataLen: number;
  publicData2?: Buffer;
  privateData: Handle;
}

export interface X942DH1Derive extends IParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
}

export interface X942DH2Derive extends IParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
  privateDataLen: number;
  publicData2?: Buffer;
}

export interface X942MQvDeriveParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
  publicData2?: Buffer;
  publicKey: Handle;
}

export interface RC2CBCParams extends IParams {
  effectiveBits: number;
  iv: Buffer;
}

export interface RC2MACGeneralParams extends IParams {
  effectiveBits: number;
  macLength: number;
}

export interface RC5Params extends IParams {
  wordSize: number;
  rounds: number;
}

export interface RC5CBCParams extends RC5Params {
  wordSize: number;
  rounds: number;
  iv: Buffer;
}

export interface RC5MACGeneralParams extends RC5Params {
  wordSize: number;
  rounds: number;
  macLength: number;
}

export interface DesCbcEncryptDataParams extends IParams {
  iv: Buffer;
  data?: Buffer;
}

export interface SkipjackPrivateWrapParams extends IParams {
  password: Buffer;
  publicData: Buffer;
  primeP: Buffer;
  baseG: Buffer;
  subprimeQ: Buffer;
  randomA: Buffer;
}

export interface SkipjackRelayXParams extends IParams {
  oldWrappedX: Buffer;
  oldPassword: Buffer;
  oldPublicData: Buffer;
  oldRandomA: Buffer;
  newPassword: Buffer;
  newPublicData: Buffer;
  newRandomA: Buffer;
}

export interface PbeParams extends IParams {
  initVector: Buffer;
  password: Buffer;
  salt: Buffer;
  iteration: number;
}

export interface KeyWrapSetOaepParams extends IParams {
  bc: number;
  x: Buffer;
}

export interface GcmParams extends IParams {
  iv: Buffer;
  ivBits: number;
  aad?: Buffer;
  tagBits?: number;
}

export interface CcmParams extends IParams {
  dataLen: number;
  nonce?: Buffer;
  aad?: Buffer;
  macLen?: number;
}

export interface GostR3410DeriveParams extends IParams {
  kdf: number;
  publicData: Buffer;
  ukm?: Buffer;
}

export interface GostR3410KeyWrapParams extends IParams {
  wrapOID: Buffer;
  ukm?: Buffer;
  key: Handle;
}

//#endregion

export interface KeyPair {
  privateKey: Handle;
  publicKey: Handle;
}

export interface InitializationOptions {
  /**
   * NSS library parameters
   */
  libraryParameters?: string;
  /**
   * bit flags specifying options for {@link PKCS11.C_Initialize}
   * - CKF_LIBRARY_CANT_CREATE_OS_THREADS. True if application threads which are executing calls to the library
   *   may not use native operating system calls to spawn new threads; false if they may
   * - CKF_OS_LOCKING_OK. True if the library can use the native operation system threading model for locking;
   *   false otherwise
   */
  flags?: number;
}

/**
 * A Structure which contains a Cryptoki version and each function in the Cryptoki API
 */
export declare class PKCS11 {
  /**
   * Library path
   */
  public libPath: string;

  /**
   * Creates an instance of PKCS11
   * @param libPath The path to PKCS#11 library
   */
  constructor(libPath?: string);

  /**
   * Loads dynamic library with PKCS#11 interface
   * @param path The path to PKCS#11 library
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public load(path: string): void;
  /**
   * Initializes the Cryptoki library
   * @param options Initialization options
   * Supports implementation of standard `CK_C_INITIALIZE_ARGS` and extended NSS format.
   * - if `options` is null or empty, it calls native `C_Initialize` with `NULL`
   * - if `options` doesn't have `libraryParameters`, it uses `CK_C_INITIALIZE_ARGS` structure
   * - if `options` has `libraryParameters`, it uses extended NSS structure
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Initialize(options?: InitializationOptions): void;
  /**
   * Closes dynamic library
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public close(): void;
  /**
   * Indicates that an application is done with the Cryptoki library
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Finalize(): void;
  /**
   * Returns general information about Cryptoki
   * @returns Information about Cryptoki
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetInfo(): ModuleInfo;

  //#region Slot and token management

  /**
   * Obtains a list of slots in the system
   * @param [tokenPresent] Only slots with tokens?
   * @returns Array of slot IDs
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetSlotList(tokenPresent?: boolean): Handle[];
  /**
   * Obtains information about a particular slot in the system
   * @param  slot The ID of the slot
   * @returns Information about a slot
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetSlotInfo(slot: Handle): SlotInfo;
  /**
   * Obtains information about a particular token in the system
   * @param slot ID of the token's slot
   * @returns Information about a token
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetTokenInfo(slot: Handle): TokenInfo;
  /**
   * Initializes a token
   * @param slot ID of the token's slot
   * @param [pin] The SO's initial PIN
   * @returns 32-byte token label (blank padded)
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_InitToken(slot: Handle, pin?: string, label?: string): string;
  /**
   * Initializes the normal user's PIN
   * @param session The session's handle
   * @param pin The normal user's PIN
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_InitPIN(session: Handle, pin?: string): void;
  /**
   * Modifies the PIN of the user who is logged in
   * @param session The session's handle
   * @param oldPin The old PIN
   * @param newPin The new PIN
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SetPIN(session: Handle, oldPin: string, newPin: string): void;
  /**
   * Obtains a list of mechanism types supported by a token
   * @param slot ID of token's slot
   * @returns A list of mechanism types
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetMechanismList(slot: Handle): number[];
  /**
   * Obtains information about a particular mechanism possibly supported by a token
   * @param slot ID of the token's slot
   * @param mech Type of mechanism
   * @returns Information about mechanism
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetMechanismInfo(slot: Handle, mech: number): MechanismInfo;

  //#endregion

  //#region Session management

  /**
   * Opens a session between an application and a token
   * @param slot The slot's ID
   * @param flags From CK_SESSION_INFO
   * @returns Session handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_OpenSession(slot: Handle, flags: number): Handle;
  /**
   * Closes a session between an application and a token
   * @param session The session's handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_CloseSession(session: Handle): void;
  /**
   * Closes all sessions with a token
   * @param slot The token's slot
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_CloseAllSessions(slot: Handle): void;
  /**
   * Obtains information about the session
   * @param session The session's handle
   * @returns Receives session info
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetSessionInfo(session: Handle): SessionInfo;
  /**
   * Logs a user into a token
   * @param session The session's handle
   * @param userType The user type
   * @param [pin] The user's PIN
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Login(session: Handle, userType: number, pin?: string): void;
  /**
   * Logs a user out from a token
   * @param session The session's handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Logout(session: Handle): void;

  //#endregion

  //#region Object management

  /**
   * Creates a new object
   * @param session The session's handle
   * @param template The object's template
   * @returns A new object's handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_CreateObject(session: Handle, template: Template): Handle;
  /**
   * Copies an object, creating a new object for the copy
   * @param session The session's handle
   * @param object The object's handle
   * @param template Template for new object
   * @returns A handle of copy
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_CopyObject(session: Handle, object: Handle, template: Template): Handle;
  /**
   * Destroys an object
   * @param session The session's handle
   * @param object The object's handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DestroyObject(session: Handle, object: Handle): void;
  /**
   * Gets the size of an object in bytes
   * @param session The session's handle
   * @param object The object's handle
   * @returns Size of an object in bytes
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetObjectSize(session: Handle, object: Handle): number;
  /**
   * Initializes a search for token and session objects that match a template
   * @param session The session's handle
   * @param template Attribute values to match
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_FindObjectsInit(session: Handle, template: Template): void;
  /**
   * Continues a search for token and session
   * objects that match a template, obtaining additional object
   * handles
   * @param session The session's handle
   * @param maxObjectCount The maximum number of object handles to be returned. Default value is 1.
   * @returns List of handles
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  /**
   * Continues a search for token and session
   * objects that match a template, obtaining additional object
   * handles
   * @param session The session's handle
   * @returns Object's handle. If object is not found
   * the result is null
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_FindObjects(session: Handle): Handle | null;
  /**
   * Finishes a search for token and session objects
   * @param session The session's handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_FindObjectsFinal(session: Handle): void;
  /**
   * Obtains the value of one or more object attributes
   * @param session The session's handle
   * @param object The object's handle
   * @param template Specifies attrs; gets values
   * @returns List of Attributes with values
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GetAttributeValue(session: Handle, object: Handle, template: Template): TemplateResult;
  /**
   * Modifies the value of one or more object attributes
   * @param session The session's handle
   * @param object The object's handle
   * @param template Specifies attrs and values
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SetAttributeValue(session: Handle, object: Handle, template: Template): void;

  //#endregion

  //#region Encryption and decryption

  /**
   * Initializes an encryption operation
   * @param session The session's handle
   * @param mechanism The encryption mechanism
   * @param key Handle of encryption key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Encrypts single-part data
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data with encrypted message
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Encrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Encrypts single-part data
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @param cb Async callback with sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Encrypt(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Encrypts single-part data
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data with encrypted message
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_EncryptAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * Continues a multiple-part encryption operation
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_EncryptUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part encryption operation
   * @param session The session's handle
   * @param outData Last output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_EncryptFinal(session: Handle, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part encryption operation
   * @param session The session's handle
   * @param outData Last output data
   * @param cb Async callback with sliced output data
   */
  public C_EncryptFinal(session: Handle, outData: Buffer, cb: (error: Error, data: Buffer) => void): void;
  /**
   * Finishes a multiple-part encryption operation
   * @param session The session's handle
   * @param outData Last output data
   * @returns Sliced output data
   */
  public C_EncryptFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;
  /**
   * Initializes a decryption operation
   * @param session The session's handle
   * @param mechanism The decryption mechanism
   * @param key Handle of decryption key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Decrypts encrypted data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data with decrypted message
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Decrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Decrypts encrypted data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @param cb Async callback with sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Decrypt(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Decrypts encrypted data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data with decrypted message
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DecryptAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * continues a multiple-part decryption operation
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data with decrypted block
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DecryptUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part decryption operation
   * @param session The session's handle
   * @param outData Last part of output data
   * @returns Sliced output data with decrypted final block
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DecryptFinal(session: Handle, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part decryption operation
   * @param session The session's handle
   * @param outData Last part of output data
   * @param cb Async callback with sliced output data with decrypted final block
   */
  public C_DecryptFinal(session: Handle, outData: Buffer, cb: (error: Error, data: Buffer) => void): void;
  /**
   * Finishes a multiple-part decryption operation
   * @param session The session's handle
   * @param outData Last part of output data
   * @returns Sliced output data with decrypted final block
   */
  public C_DecryptFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  /* Message digesting */

  /**
   * Initializes a message-digesting operation
   * @param session The session's handle
   * @param mechanism Digesting mechanism
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestInit(session: Handle, mechanism: Mechanism): void;
  /**
   * Digests data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Digest(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Digests data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @param cb Async callback with sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Digest(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Digests data in a single part
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * continues a multiple-part message-digesting operation
   * operation, by digesting the value of a secret key as part of
   * the data already digested
   * @param session The session's handle
   * @param inData Incoming data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestUpdate(session: Handle, inData: Buffer): void;
  /**
   * Finishes a multiple-part message-digesting operation
   * @param session The session's handle
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestFinal(session: Handle, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part message-digesting operation
   * @param session The session's handle
   * @param outData Output data
   * @param cb Async callback with sliced output data
   */
  public C_DigestFinal(session: Handle, outData: Buffer, cb: (error: Error, data: Buffer) => void): void;
  /**
   * Finishes a multiple-part message-digesting operation
   * @param session The session's handle
   * @param outData Output data
   * @returns Sliced output data
   */
  public C_DigestFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  /**
   * Continues a multiple-part message-digesting operation by digesting the value of a secret key
   * @param session The session's handle
   * @param key The handle of the secret key to be digested
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestKey(session: Handle, key: Handle): void;

  //#endregion

  //#region Signing and MACing

  /**
   * initializes a signature (private key encryption)
   * operation, where the signature is (will be) an appendix to
   * the data, and plaintext cannot be recovered from the
   * signature
   * @param session The session's handle
   * @param mechanism Signature mechanism
   * @param key Handle of signature key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Signs (encrypts with private key) data in a single
   * part, where the signature is (will be) an appendix to the
   * data, and plaintext cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Sign(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Signs (encrypts with private key) data in a single
   * part, where the signature is (will be) an appendix to the
   * data, and plaintext cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @param cb Async callback with sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Sign(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Signs (encrypts with private key) data in a single
   * part, where the signature is (will be) an appendix to the
   * data, and plaintext cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * Continues a multiple-part signature operation,
   * where the signature is (will be) an appendix to the data,
   * and plaintext cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignUpdate(session: Handle, inData: Buffer): void;
  /**
   * Finishes a multiple-part signature operation,
   * returning the signature
   * @param session The session's handle
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignFinal(session: Handle, outData: Buffer): Buffer;
  /**
   * Finishes a multiple-part signature operation,
   * returning the signature
   * @param session The session's handle
   * @param outData Output data
   * @param cb Async callback with sliced output data
   */
  public C_SignFinal(session: Handle, outData: Buffer, cb: (error: Error, data: Buffer) => void): void;
  /**
   * Finishes a multiple-part signature operation,
   * returning the signature
   * @param session The session's handle
   * @param outData Output data
   * @returns Sliced output data
   */
  public C_SignFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  /**
   * Initializes a signature operation, where the data can be recovered from the signature
   * @param session The session's handle
   * @param mechanism The structure that specifies the signature mechanism
   * @param key The handle of the signature key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Signs data in a single operation, where the data can be recovered from the signature
   * @param session
   * @param inData Incoming data
   * @param outData Output data
   * @returns Sliced output data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignRecover(session: Handle, inData: Buffer, outData: Buffer): Buffer;

  //#endregion

  //#region Verifying signatures and MACs

  /**
   * initializes a verification operation, where the
   * signature is an appendix to the data, and plaintext cannot
   * cannot be recovered from the signature (e.g. DSA)
   * @param session The session's handle
   * @param mechanism Verification mechanism
   * @param key Verification key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_VerifyInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Verifies a signature in a single-part operation,
   * where the signature is an appendix to the data, and plaintext
   * cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param signature Signature to verify
   * @returns Verification result
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Verify(session: Handle, inData: Buffer, signature: Buffer): boolean;
  /**
   * Verifies a signature in a single-part operation,
   * where the signature is an appendix to the data, and plaintext
   * cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param signature Signature to verify
   * @param cb Async callback with verification result
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_Verify(
    session: Handle,
    inData: Buffer,
    signature: Buffer,
    cb: (error: Error, verify: boolean) => void,
  ): void;
  /**
   * Verifies a signature in a single-part operation,
   * where the signature is an appendix to the data, and plaintext
   * cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @param signature Signature to verify
   * @returns Verification result
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_VerifyAsync(session: Handle, inData: Buffer, signature: Buffer): Promise<boolean>;
  /**
   * Continues a multiple-part verification
   * operation, where the signature is an appendix to the data,
   * and plaintext cannot be recovered from the signature
   * @param session The session's handle
   * @param inData Incoming data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_VerifyUpdate(session: Handle, inData: Buffer): void;
  /**
   * Finishes a multiple-part verification
   * operation, checking the signature
   * @param session The session's handle
   * @param signature Signature to verify
   * @returns
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_VerifyFinal(session: Handle, signature: Buffer): boolean;
  /**
   * Finishes a multiple-part verification
   * operation, checking the signature
   * @param session The session's handle
   * @param signature Signature to verify
   * @param cb Async callback with verification result
   */
  public C_VerifyFinal(session: Handle, signature: Buffer, cb: (error: Error, verify: boolean) => void): void;
  /**
   * Finishes a multiple-part verification
   * operation, checking the signature
   * @param session The session's handle
   * @param signature Signature to verify
   * @returns Verification result
   */
  public C_VerifyFinalAsync(session: Handle, signature: Buffer): Promise<boolean>;
  /**
   * Initializes a signature verification operation, where the data is recovered from the signature
   * @param session The session's handle
   * @param mechanism The structure that specifies the verification mechanism
   * @param key The handle of the verification key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  C_VerifyRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /**
   * Verifies a signature in a single-part operation, where the data is recovered from the signature
   * @param session The session's handle
   * @param signature The signature to verify
   * @param outData The allocated buffer for recovered data
   * @return The sliced output data with recovered data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  C_VerifyRecover(session: Handle, signature: Buffer, outData: Buffer): Buffer;

  //#endregion

  //#region Key management

  /**
   * Generates a secret key, creating a new key object
   * @param session The session's handle
   * @param mechanism Key generation mechanism
   * @param template Template for new key
   * @returns The handle of the new key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKey(session: Handle, mechanism: Mechanism, template: Template): Handle;
  /**
   * Generates a secret key, creating a new key object
   * @param session The session's handle
   * @param mechanism Key generation mechanism
   * @param template Template for new key
   * @param cb Async callback with handle of new key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKey(
    session: Handle,
    mechanism: Mechanism,
    template: Template,
    cb: (error: Error, key: Handle) => void,
  ): void;
  /**
   * Generates a secret key, creating a new key object
   * @param session The session's handle
   * @param mechanism The key generation mechanism
   * @param template The template for the new key
   * @returns The handle of the new key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKeyAsync(session: Handle, mechanism: Mechanism, template: Template): Promise<Handle>;
  /**
   * Generates a public-key/private-key pair,
   * creating new key objects
   * @param session The session's handle
   * @param mechanism Key generation mechanism
   * @param publicTmpl Template for public key
   * @param privateTmpl Template for private key
   * @returns The pair of handles for private and public keys
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKeyPair(
    session: Handle,
    mechanism: Mechanism,
    publicTmpl: Template,
    privateTmpl: Template,
  ): KeyPair;
  /**
   * Generates a public-key/private-key pair,
   * creating new key objects
   * @param session The session's handle
   * @param mechanism Key generation mechanism
   * @param publicTmpl Template for public key
   * @param privateTmpl Template for private key
   * @param cb Async callback with handles for private and public keys
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKeyPair(
    session: Handle,
    mechanism: Mechanism,
    publicTmpl: Template,
    privateTmpl: Template,
    cb: (error: Error, keys: KeyPair) => void,
  ): void;
  /**
   * Generates a public-key/private-key pair,
   * creating new key objects
   * @param session The session's handle
   * @param mechanism Key generation mechanism
   * @param publicTmpl Template for public key
   * @param privateTmpl Template for private key
   * @returns Handles for private and public keys
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateKeyPairAsync(
    session: Handle,
    mechanism: Mechanism,
    publicTmpl: Template,
    privateTmpl: Template,
  ): Promise<KeyPair>;
  /**
   * Wraps (i.e., encrypts) a key
   * @param session The session's handle
   * @param mechanism Wrapping mechanism
   * @param wrappingKey Wrapping key
   * @param key Key to be wrapped
   * @param wrappedKey Init buffer for wrapped key
   * @returns Sliced wrapped key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_WrapKey(
    session: Handle,
    mechanism: Mechanism,
    wrappingKey: Handle,
    key: Handle,
    wrappedKey: Buffer,
  ): Buffer;
  /**
   * Wraps (i.e., encrypts) a key
   * @param session The session's handle
   * @param mechanism Wrapping mechanism
   * @param wrappingKey Wrapping key
   * @param key Key to be wrapped
   * @param wrappedKey Init buffer for wrapped key
   * @param cb Async callback with sliced wrapped key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_WrapKey(
    session: Handle,
    mechanism: Mechanism,
    wrappingKey: Handle,
    key: Handle,
    wrappedKey: Buffer,
    cb: (error: Error, wrappedKey: Buffer) => void,
  ): void;
  /**
   * Wraps (i.e., encrypts) a key
   * @param session The session's handle
   * @param mechanism Wrapping mechanism
   * @param wrappingKey Wrapping key
   * @param key Key to be wrapped
   * @param wrappedKey Init buffer for wrapped key
   * @returns Sliced wrapped key
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_WrapKeyAsync(
    session: Handle,
    mechanism: Mechanism,
    wrappingKey: Handle,
    key: Handle,
    wrappedKey: Buffer,
  ): Promise<Buffer>;
  /**
   * Unwraps (decrypts) a wrapped key, creating a new key object
   * @param session The session's handle
   * @param mechanism Unwrapping mechanism
   * @param unwrappingKey Unwrapping key
   * @param wrappedKey Wrapped key
   * @param template New key template
   * @returns The unwrapped key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_UnwrapKey(
    session: Handle,
    mechanism: Mechanism,
    unwrappingKey: Handle,
    wrappedKey: Buffer,
    template: Template,
  ): Handle;
  /**
   * Unwraps (decrypts) a wrapped key, creating a new key object
   * @param session The session's handle
   * @param mechanism Unwrapping mechanism
   * @param unwrappingKey Unwrapping key
   * @param wrappedKey Wrapped key
   * @param template New key template
   * @param cb Async callback with new key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_UnwrapKey(
    session: Handle,
    mechanism: Mechanism,
    unwrappingKey: Handle,
    wrappedKey: Buffer,
    template: Template,
    cb: (error: Error, key: Handle) => void,
  ): void;
  /**
   * Unwraps (decrypts) a wrapped key, creating a new key object
   * @param session The session's handle
   * @param mechanism Unwrapping mechanism
   * @param unwrappingKey Unwrapping key
   * @param wrappedKey Wrapped key
   * @param template New key template
   * @returns The unwrapped key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_UnwrapKeyAsync(
    session: Handle,
    mechanism: Mechanism,
    unwrappingKey: Handle,
    wrappedKey: Buffer,
    template: Template,
  ): Promise<Handle>;
  /**
   * Derives a key from a base key, creating a new key object
   * @param session The session's handle
   * @param mechanism The key derivation mechanism
   * @param key The base key
   * @param template The template for the new key
   * @returns The derived key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DeriveKey(session: Handle, mechanism: Mechanism, key: Handle, template: Template): Handle;
  /**
   * Derives a key from a base key, creating a new key object
   * @param session The session's handle
   * @param mechanism The key derivation mechanism
   * @param key The base key
   * @param template The template for the new key
   * @param cb Async callback with the derived key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DeriveKey(
    session: Handle,
    mechanism: Mechanism,
    key: Handle,
    template: Template,
    cb: (error: Error, hKey: Handle) => void,
  ): void;
  /**
   * Derives a key from a base key, creating a new key object
   * @param session The session's handle
   * @param mechanism The key derivation mechanism
   * @param key The base key
   * @param template The template for the new key
   * @returns The derived key handle
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DeriveKeyAsync(
    session: Handle,
    mechanism: Mechanism,
    key: Handle,
    template: Template,
  ): Promise<Handle>;
  /**
   * Mixes additional seed material into the token's random number generator
   * @param session The session's handle
   * @param buf The seed material
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SeedRandom(session: Handle, buf: Buffer): void;
  /**
   * Generates random data
   * @param session The session's handle
   * @param buf Init buffer
   * @returns The random data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_GenerateRandom(session: Handle, buf: Buffer): Buffer;
  //#endregion

  //#region Event management
  /**
   * Waits for a slot event, such as token insertion or token removal, to occur.
   * @param flags Determines whether or not the C_WaitForSlotEvent call blocks (i.e., waits for a slot event to occur); use CKF_DONT_BLOCK for no blocking call
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   * @returns The slot ID where the event occurred, if successful; null otherwise
   */
  public C_WaitForSlotEvent(flags: number): Handle | null;
  //#endregion

  //#region Dual-function cryptographic operations
  /**
   * Continues a multiple-part digest and encryption
   * operation (digesting and encrypting)
   * @param session The session's handle
   * @param inData Data to be digested and encrypted
   * @param outData Encrypted data
   * @returns Sliced encrypted data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_DigestEncryptUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Continues a multiple-part digest and encryption
   * operation (digesting and encrypting)
   * @param session The session's handle
   * @param inData Data to be digested and encrypted
   * @param outData Encrypted data
   * @param cb Async callback with sliced encrypted data
   */
  public C_DigestEncryptUpdate(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Continues a multiple-part digest and encryption
   * operation (digesting and encrypting)
   * @param session The session's handle
   * @param inData Data to be digested and encrypted
   * @param outData Encrypted data
   * @returns Sliced encrypted data
   */
  public C_DigestEncryptUpdateAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * Continues a multiple-part decryption and digest
   * operation (decrypting and digesting)
   * @param session The session's handle
   * @param inData Data to be decrypted and digested
   * @param outData Digested data
   * @returns Sliced digested data
   */
  public C_DecryptDigestUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Continues a multiple-part decryption and digest
   * operation (decrypting and digesting)
   * @param session The session's handle
   * @param inData Data to be decrypted and digested
   * @param outData Digested data
   * @param cb Async callback with sliced digested data
   */
  public C_DecryptDigestUpdate(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Continues a multiple-part decryption and digest
   * operation (decrypting and digesting)
   * @param session The session's handle
   * @param inData Data to be decrypted and digested
   * @param outData Digested data
   * @returns Sliced digested data
   */
  public C_DecryptDigestUpdateAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * Continues a multiple-part signing and encryption
   * operation (signing and encrypting)
   * @param session The session's handle
   * @param inData Data to be signed and encrypted
   * @param outData Encrypted data
   * @returns Sliced encrypted data
   * @throws {@link NativeError} if native error occurs
   * @throws {@link Pkcs11Error} if Cryptoki error occurs
   */
  public C_SignEncryptUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Continues a multiple-part signing and encryption
   * operation (signing and encrypting)
   * @param session The session's handle
   * @param inData Data to be signed and encrypted
   * @param outData Encrypted data
   * @param cb Async callback with sliced encrypted data
   */
  public C_SignEncryptUpdate(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Continues a multiple-part signing and encryption
   * operation (signing and encrypting)
   * @param session The session's handle
   * @param inData Data to be signed and encrypted
   * @param outData Encrypted data
   * @returns Sliced encrypted data
   */
  public C_SignEncryptUpdateAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  /**
   * Continues a multiple-part decryption and
   * verification operation (decrypting and verifying)
   * @param session The session's handle
   * @param inData Data to be decrypted and verified
   * @param outData Verified data
   * @returns Sliced verified data
   */
  public C_DecryptVerifyUpdate(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  /**
   * Continues a multiple-part decryption and
   * verification operation (decrypting and verifying)
   * @param session The session's handle
   * @param inData Data to be decrypted and verified
   * @param outData Verified data
   * @param cb Async callback with sliced verified data
   */
  public C_DecryptVerifyUpdate(
    session: Handle,
    inData: Buffer,
    outData: Buffer,
    cb: (error: Error, data: Buffer) => void,
  ): void;
  /**
   * Continues a multiple-part decryption and
   * verification operation (decrypting and verifying)
   * @param session The session's handle
   * @param inData Data to be decrypted and verified
   * @param outData Verified data
   * @returns Sliced verified data
   */
  public C_DecryptVerifyUpdateAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  //#endregion
}

//#region Attributes
export declare const CKA_CLASS: number;
export declare const CKA_TOKEN: number;
export declare const CKA_PRIVATE: number;
export declare const CKA_LABEL: number;
export declare const CKA_APPLICATION: number;
export declare const CKA_VALUE: number;
export declare const CKA_OBJECT_ID: number;
export declare const CKA_CERTIFICATE_TYPE: number;
export declare const CKA_ISSUER: number;
export declare const CKA_SERIAL_NUMBER: number;
export declare const CKA_AC_ISSUER: number;
export declare const CKA_OWNER: number;
export declare const CKA_ATTR_TYPES: number;
export declare const CKA_TRUSTED: number;
export declare const CKA_CERTIFICATE_CATEGORY: number;
export declare const CKA_JAVA_MIDP_SECURITY_DOMAIN: number;
export declare const CKA_URL: number;
export declare const CKA_HASH_OF_SUBJECT_PUBLIC_KEY: number;
export declare const CKA_HASH_OF_ISSUER_PUBLIC_KEY: number;
export declare const CKA_NAME_HASH_ALGORITHM: number;
export declare const CKA_CHECK_VALUE: number;
export declare const CKA_KEY_TYPE: number;
export declare const CKA_SUBJECT: number;
export declare const CKA_ID: number;
export declare const CKA_SENSITIVE: number;
export declare const CKA_ENCRYPT: number;
export declare const CKA_DECRYPT: number;
export declare const CKA_WRAP: number;
export declare const CKA_UNWRAP: number;
export declare const CKA_SIGN: number;
export declare const CKA_SIGN_RECOVER: number;
export declare const CKA_VERIFY: number;
export declare const CKA_VERIFY_RECOVER: number;
export declare const CKA_DERIVE: number;
export declare const CKA_START_DATE: number;
export declare const CKA_END_DATE: number;
export declare const CKA_MODULUS: number;
export declare const CKA_MODULUS_BITS: number;
export declare const CKA_PUBLIC_EXPONENT: number;
export declare const CKA_PRIVATE_EXPONENT: number;
export declare const CKA_PRIME_1: number;
export declare const CKA_PRIME_2: number;
export declare const CKA_EXPONENT_1: number;
export declare const CKA_EXPONENT_2: number;
export declare const CKA_COEFFICIENT: number;
export declare const CKA_PRIME: number;
export declare const CKA_SUBPRIME: number;
export declare const CKA_BASE: number;
export declare const CKA_PRIME_BITS: number;
export declare const CKA_SUBPRIME_BITS: number;
export declare const CKA_SUB_PRIME_BITS: number;
export declare const CKA_VALUE_BITS: number;
export declare const CKA_VALUE_LEN: number;
export declare const CKA_EXTRACTABLE: number;
export declare const CKA_LOCAL: number;
export declare const CKA_NEVER_EXTRACTABLE: number;
export declare const CKA_ALWAYS_SENSITIVE: number;
export declare const CKA_KEY_GEN_MECHANISM: number;
export declare const CKA_MODIFIABLE: number;
export declare const CKA_COPYABLE: number;
export declare const CKA_DESTROYABLE: number;
export declare const CKA_ECDSA_PARAMS: number;
export declare const CKA_EC_PARAMS: number;
export declare const CKA_EC_POINT: number;
export declare const CKA_SECONDARY_AUTH: number;
export declare const CKA_AUTH_PIN_FLAGS: number;
export declare const CKA_ALWAYS_AUTHENTICATE: number;
export declare const CKA_WRAP_WITH_TRUSTED: number;
export declare const CKA_WRAP_TEMPLATE: number;
export declare const CKA_UNWRAP_TEMPLATE: number;
export declare const CKA_DERIVE_TEMPLATE: number;
export declare const CKA_OTP_FORMAT: number;
export declare const CKA_OTP_LENGTH: number;
export declare const CKA_OTP_TIME_INTERVAL: number;
export declare const CKA_OTP_USER_FRIENDLY_MODE: number;
export declare const CKA_OTP_CHALLENGE_REQUIREMENT: number;
export declare const CKA_OTP_TIME_REQUIREMENT: number;
export declare const CKA_OTP_COUNTER_REQUIREMENT: number;
export declare const CKA_OTP_PIN_REQUIREMENT: number;
export declare const CKA_OTP_COUNTER: number;
export declare const CKA_OTP_TIME: number;
export declare const CKA_OTP_USER_IDENTIFIER: number;
export declare const CKA_OTP_SERVICE_IDENTIFIER: number;
export declare const CKA_OTP_SERVICE_LOGO: number;
export declare const CKA_OTP_SERVICE_LOGO_TYPE: number;
export declare const CKA_GOSTR3410_PARAMS: number;
export declare const CKA_GOSTR3411_PARAMS: number;
export declare const CKA_GOST28147_PARAMS: number;
export declare const CKA_HW_FEATURE_TYPE: number;
export declare const CKA_RESET_ON_INIT: number;
export declare const CKA_HAS_RESET: number;
export declare const CKA_PIXEL_X: number;
export declare const CKA_PIXEL_Y: number;
export declare const CKA_RESOLUTION: number;
export declare const CKA_CHAR_ROWS: number;
export declare const CKA_CHAR_COLUMNS: number;
export declare const CKA_COLOR: number;
export declare const CKA_BITS_PER_PIXEL: number;
export declare const CKA_CHAR_SETS: number;
export declare const CKA_ENCODING_METHODS: number;
export declare const CKA_MIME_TYPES: number;
export declare const CKA_MECHANISM_TYPE: number;
export declare const CKA_REQUIRED_CMS_ATTRIBUTES: number;
export declare const CKA_DEFAULT_CMS_ATTRIBUTES: number;
export declare const CKA_SUPPORTED_CMS_ATTRIBUTES: number;
export declare const CKA_ALLOWED_MECHANISMS: number;
export declare const CKA_VENDOR_DEFINED: number;
//#endregion

//#region Objects
export declare const CKO_DATA: number;
export declare const CKO_CERTIFICATE: number;
export declare const CKO_PUBLIC_KEY: number;
export declare const CKO_PRIVATE_KEY: number;
export declare const CKO_SECRET_KEY: number;
export declare const CKO_HW_FEATURE: number;
export declare const CKO_DOMAIN_PARAMETERS: number;
export declare const CKO_MECHANISM: number;
export declare const CKO_OTP_KEY: number;
export declare const CKO_VENDOR_DEFINED: number;
//#endregion

//#region Key types
export declare const CKK_RSA: number;
export declare const CKK_DSA: number;
export declare const CKK_DH: number;
export declare const CKK_ECDSA: number;
export declare const CKK_EC: number;
export declare const CKK_X9_42_DH: number;
export declare const CKK_KEA: number;
export declare const CKK_GENERIC_SECRET: number;
export declare const CKK_RC2: number;
export declare const CKK_RC4: number;
export declare const CKK_DES: number;
export declare const CKK_DES2: number;
export declare const CKK_DES3: number;
export declare const CKK_CAST: number;
export declare const CKK_CAST3: number;
export declare const CKK_CAST5: number;
export declare const CKK_CAST128: number;
export declare const CKK_RC5: number;
export declare const CKK_IDEA: number;
export declare const CKK_SKIPJACK: number;
export declare const CKK_BATON: number;
export declare const CKK_JUNIPER: number;
export declare const CKK_CDMF: number;
export declare const CKK_AES: number;
export declare const CKK_BLOWFISH: number;
export declare const CKK_TWOFISH: number;
export declare const CKK_SECURID: number;
export declare const CKK_HOTP: number;
export declare const CKK_ACTI: number;
export declare const CKK_CAMELLIA: number;
export declare const CKK_ARIA: number;
export declare const CKK_MD5_HMAC: number;
export declare const CKK_SHA_1_HMAC: number;
export declare const CKK_RIPEMD128_HMAC: number;
export declare const CKK_RIPEMD160_HMAC: number;
export declare const CKK_SHA256_HMAC: number;
export declare const CKK_SHA384_HMAC: number;
export declare const CKK_SHA512_HMAC: number;
export declare const CKK_SHA224_HMAC: number;
export declare const CKK_SEED: number;
export declare const CKK_GOSTR3410: number;
export declare const CKK_GOSTR3411: number;
export declare const CKK_GOST28147: number;
export declare const CKK_VENDOR_DEFINED: number;
//#endregion

//#region Mechanisms
export declare const CKM_RSA_PKCS_KEY_PAIR_GEN: number;
export declare const CKM_RSA_PKCS: number;
export declare const CKM_RSA_9796: number;
export declare const CKM_RSA_X_509: number;
export declare const CKM_MD2_RSA_PKCS: number;
export declare const CKM_MD5_RSA_PKCS: number;
export declare const CKM_SHA1_RSA_PKCS: number;
export declare const CKM_RIPEMD128_RSA_PKCS: number;
export declare const CKM_RIPEMD160_RSA_PKCS: number;
export declare const CKM_RSA_PKCS_OAEP: number;
export declare const CKM_RSA_X9_31_KEY_PAIR_GEN: number;
export declare const CKM_RSA_X9_31: number;
export declare const CKM_SHA1_RSA_X9_31: number;
export declare const CKM_RSA_PKCS_PSS: number;
export declare const CKM_SHA1_RSA_PKCS_PSS: number;
export declare const CKM_DSA_KEY_PAIR_GEN: number;
export declare const CKM_DSA: number;
export declare const CKM_DSA_SHA1: number;
export declare const CKM_DSA_SHA224: number;
export declare const CKM_DSA_SHA256: number;
export declare const CKM_DSA_SHA384: number;
export declare const CKM_DSA_SHA512: number;
export declare const CKM_DH_PKCS_KEY_PAIR_GEN: number;
export declare const CKM_DH_PKCS_DERIVE: number;
export declare const CKM_X9_42_DH_KEY_PAIR_GEN: number;
export declare const CKM_X9_42_DH_DERIVE: number;
export declare const CKM_X9_42_DH_HYBRID_DERIVE: number;
export declare const CKM_X9_42_MQV_DERIVE: number;
export declare const CKM_SHA256_RSA_PKCS: number;
export declare const CKM_SHA384_RSA_PKCS: number;
export declare const CKM_SHA512_RSA_PKCS: number;
export declare const CKM_SHA256_RSA_PKCS_PSS: number;
export declare const CKM_SHA384_RSA_PKCS_PSS: number;
export declare const CKM_SHA512_RSA_PKCS_PSS: number;
export declare const CKM_SHA224_RSA_PKCS: number;
export declare const CKM_SHA224_RSA_PKCS_PSS: number;
export declare const CKM_RC2_KEY_GEN: number;
export declare const CKM_RC2_ECB: number;
export declare const CKM_RC2_CBC: number;
export declare const CKM_RC2_MAC: number;
export declare const CKM_RC2_MAC_GENERAL: number;
export declare const CKM_RC2_CBC_PAD: number;
export declare const CKM_RC4_KEY_GEN: number;
export declare const CKM_RC4: number;
export declare const CKM_DES_KEY_GEN: number;
export declare const CKM_DES_ECB: number;
export declare const CKM_DES_CBC: number;
export declare const CKM_DES_MAC: number;
export declare const CKM_DES_MAC_GENERAL: number;
export declare const CKM_DES_CBC_PAD: number;
export declare const CKM_DES2_KEY_GEN: number;
export declare const CKM_DES3_KEY_GEN: number;
export declare const CKM_DES3_ECB: number;
export declare const CKM_DES3_CBC: number;
export declare const CKM_DES3_MAC: number;
export declare const CKM_DES3_MAC_GENERAL: number;
export declare const CKM_DES3_CBC_PAD: number;
export declare const CKM_DES3_CMAC_GENERAL: number;
export declare const CKM_DES3_CMAC: number;
export declare const CKM_CDMF_KEY_GEN: number;
export declare const CKM_CDMF_ECB: number;
export declare const CKM_CDMF_CBC: number;
export declare const CKM_CDMF_MAC: number;
export declare const CKM_CDMF_MAC_GENERAL: number;
export declare const CKM_CDMF_CBC_PAD: number;
export declare const CKM_DES_OFB64: number;
export declare const CKM_DES_OFB8: number;
export declare const CKM_DES_CFB64: number;
export declare const CKM_DES_CFB8: number;
export declare const CKM_MD2: number;
export declare const CKM_MD2_HMAC: number;
export declare const CKM_MD2_HMAC_GENERAL: number;
export declare const CKM_MD5: number;
export declare const CKM_MD5_HMAC: number;
export declare const CKM_MD5_HMAC_GENERAL: number;
export declare const CKM_SHA_1: number;
export declare const CKM_SHA_1_HMAC: number;
export declare const CKM_SHA_1_HMAC_GENERAL: number;
export declare const CKM_RIPEMD128: number;
export declare const CKM_RIPEMD128_HMAC: number;
export declare const CKM_RIPEMD128_HMAC_GENERAL: number;
export declare const CKM_RIPEMD160: number;
export declare const CKM_RIPEMD160_HMAC: number;
export declare const CKM_RIPEMD160_HMAC_GENERAL: number;
export declare const CKM_SHA256: number;
export declare const CKM_SHA256_HMAC: number;
export declare const CKM_SHA256_HMAC_GENERAL: number;
export declare const CKM_SHA224: number;
export declare const CKM_SHA224_HMAC: number;
export declare const CKM_SHA224_HMAC_GENERAL: number;
export declare const CKM_SHA384: number;
export declare const CKM_SHA384_HMAC: number;
export declare const CKM_SHA384_HMAC_GENERAL: number;
export declare const CKM_SHA512: number;
export declare const CKM_SHA512_HMAC: number;
export declare const CKM_SHA512_HMAC_GENERAL: number;
export declare const CKM_SECURID_KEY_GEN: number;
export declare const CKM_SECURID: number;
export declare const CKM_HOTP_KEY_GEN: number;
export declare const CKM_HOTP: number;
export declare const CKM_ACTI: number;
export declare const CKM_ACTI_KEY_GEN: number;
export declare const CKM_CAST_KEY_GEN: number;
export declare const CKM_CAST_ECB: number;
export declare const CKM_CAST_CBC: number;
export declare const CKM_CAST_MAC: number;
export declare const CKM_CAST_MAC_GENERAL: number;
export declare const CKM_CAST_CBC_PAD: number;
export declare const CKM_CAST3_KEY_GEN: number;
export declare const CKM_CAST3_ECB: number;
export declare const CKM_CAST3_CBC: number;
export declare const CKM_CAST3_MAC: number;
export declare const CKM_CAST3_MAC_GENERAL: number;
export declare const CKM_CAST3_CBC_PAD: number;
export declare const CKM_CAST5_KEY_GEN: number;
export declare const CKM_CAST128_KEY_GEN: number;
export declare const CKM_CAST5_ECB: number;
export declare const CKM_CAST128_ECB: number;
export declare const CKM_CAST5_CBC: number;
export declare const CKM_CAST128_CBC: number;
export declare const CKM_CAST5_MAC: number;
export declare const CKM_CAST128_MAC: number;
export declare const CKM_CAST5_MAC_GENERAL: number;
export declare const CKM_CAST128_MAC_GENERAL: number;
export declare const CKM_CAST5_CBC_PAD: number;
export declare const CKM_CAST128_CBC_PAD: number;
export declare const CKM_RC5_KEY_GEN: number;
export declare const CKM_RC5_ECB: number;
export declare const CKM_RC5_CBC: number;
export declare const CKM_RC5_MAC: number;
export declare const CKM_RC5_MAC_GENERAL: number;
export declare const CKM_RC5_CBC_PAD: number;
export declare const CKM_IDEA_KEY_GEN: number;
export declare const CKM_IDEA_ECB: number;
export declare const CKM_IDEA_CBC: number;
export declare const CKM_IDEA_MAC: number;
export declare const CKM_IDEA_MAC_GENERAL: number;
export declare const CKM_IDEA_CBC_PAD: number;
export declare const CKM_GENERIC_SECRET_KEY_GEN: number;
export declare const CKM_CONCATENATE_BASE_AND_KEY: number;
export declare const CKM_CONCATENATE_BASE_AND_DATA: number;
export declare const CKM_CONCATENATE_DATA_AND_BASE: number;
export declare const CKM_XOR_BASE_AND_DATA: number;
export declare const CKM_EXTRACT_KEY_FROM_KEY: number;
export declare const CKM_SSL3_PRE_MASTER_KEY_GEN: number;
export declare const CKM_SSL3_MASTER_KEY_DERIVE: number;
export declare const CKM_SSL3_KEY_AND_MAC_DERIVE: number;
export declare const CKM_SSL3_MASTER_KEY_DERIVE_DH: number;
export declare const CKM_TLS_PRE_MASTER_KEY_GEN: number;
export declare const CKM_TLS_MASTER_KEY_DERIVE: number;
export declare const CKM_TLS_KEY_AND_MAC_DERIVE: number;
export declare const CKM_TLS_MASTER_KEY_DERIVE_DH: number;
export declare const CKM_TLS_PRF: number;
export declare const CKM_SSL3_MD5_MAC: number;
export declare const CKM_SSL3_SHA1_MAC: number;
export declare const CKM_MD5_KEY_DERIVATION: number;
export declare const CKM_MD2_KEY_DERIVATION: number;
export declare const CKM_SHA1_KEY_DERIVATION: number;
export declare const CKM_SHA256_KEY_DERIVATION: number;
export declare const CKM_SHA384_KEY_DERIVATION: number;
export declare const CKM_SHA512_KEY_DERIVATION: number;
export declare const CKM_SHA224_KEY_DERIVATION: number;
export declare const CKM_PBE_MD2_DES_CBC: number;
export declare const CKM_PBE_MD5_DES_CBC: number;
export declare const CKM_PBE_MD5_CAST_CBC: number;
export declare const CKM_PBE_MD5_CAST3_CBC: number;
export declare const CKM_PBE_MD5_CAST5_CBC: number;
export declare const CKM_PBE_MD5_CAST128_CBC: number;
export declare const CKM_PBE_SHA1_CAST5_CBC: number;
export declare const CKM_PBE_SHA1_CAST128_CBC: number;
export declare const CKM_PBE_SHA1_RC4_128: number;
export declare const CKM_PBE_SHA1_RC4_40: number;
export declare const CKM_PBE_SHA1_DES3_EDE_CBC: number;
export declare const CKM_PBE_SHA1_DES2_EDE_CBC: number;
export declare const CKM_PBE_SHA1_RC2_128_CBC: number;
export declare const CKM_PBE_SHA1_RC2_40_CBC: number;
export declare const CKM_PKCS5_PBKD2: number;
export declare const CKM_PBA_SHA1_WITH_SHA1_HMAC: number;
export declare const CKM_WTLS_PRE_MASTER_KEY_GEN: number;
export declare const CKM_WTLS_MASTER_KEY_DERIVE: number;
export declare const CKM_WTLS_MASTER_KEY_DERIVE_DH_ECC: number;
export declare const CKM_WTLS_PRF: number;
export declare const CKM_WTLS_SERVER_KEY_AND_MAC_DERIVE: number;
export declare const CKM_WTLS_CLIENT_KEY_AND_MAC_DERIVE: number;
export declare const CKM_KEY_WRAP_LYNKS: number;
export declare const CKM_KEY_WRAP_SET_OAEP: number;
export declare const CKM_CAMELLIA_KEY_GEN: number;
export declare const CKM_CAMELLIA_ECB: number;
export declare const CKM_CAMELLIA_CBC: number;
export declare const CKM_CAMELLIA_MAC: number;
export declare const CKM_CAMELLIA_MAC_GENERAL: number;
export declare const CKM_CAMELLIA_CBC_PAD: number;
export declare const CKM_CAMELLIA_ECB_ENCRYPT_DATA: number;
export declare const CKM_CAMELLIA_CBC_ENCRYPT_DATA: number;
export declare const CKM_CAMELLIA_CTR: number;
export declare const CKM_ARIA_KEY_GEN: number;
export declare const CKM_ARIA_ECB: number;
export declare const CKM_ARIA_CBC: number;
export declare const CKM_ARIA_MAC: number;
export declare const CKM_ARIA_MAC_GENERAL: number;
export declare const CKM_ARIA_CBC_PAD: number;
export declare const CKM_ARIA_ECB_ENCRYPT_DATA: number;
export declare const CKM_ARIA_CBC_ENCRYPT_DATA: number;
export declare const CKM_SEED_KEY_GEN: number;
export declare const CKM_SEED_ECB: number;
export declare const CKM_SEED_CBC: number;
export declare const CKM_SEED_MAC: number;
export declare const CKM_SEED_MAC_GENERAL: number;
export declare const CKM_SEED_CBC_PAD: number;
export declare const CKM_SEED_ECB_ENCRYPT_DATA: number;
export declare const CKM_SEED_CBC_ENCRYPT_DATA: number;
export declare const CKM_SKIPJACK_KEY_GEN: number;
export declare const CKM_SKIPJACK_ECB64: number;
export declare const CKM_SKIPJACK_CBC64: number;
export declare const CKM_SKIPJACK_OFB64: number;
export declare const CKM_SKIPJACK_CFB64: number;
export declare const CKM_SKIPJACK_CFB32: number;
export declare const CKM_SKIPJACK_CFB16: number;
export declare const CKM_SKIPJACK_CFB8: number;
export declare const CKM_SKIPJACK_WRAP: number;
export declare const CKM_SKIPJACK_PRIVATE_WRAP: number;
export declare const CKM_SKIPJACK_RELAYX: number;
export declare const CKM_KEA_KEY_PAIR_GEN: number;
export declare const CKM_KEA_KEY_DERIVE: number;
export declare const CKM_FORTEZZA_TIMESTAMP: number;
export declare const CKM_BATON_KEY_GEN: number;
export declare const CKM_BATON_ECB128: number;
export declare const CKM_BATON_ECB96: number;
export declare const CKM_BATON_CBC128: number;
export declare const CKM_BATON_COUNTER: number;
export declare const CKM_BATON_SHUFFLE: number;
export declare const CKM_BATON_WRAP: number;
export declare const CKM_ECDSA_KEY_PAIR_GEN: number;
export declare const CKM_EC_KEY_PAIR_GEN: number;
export declare const CKM_ECDSA: number;
export declare const CKM_ECDSA_SHA1: number;
export declare const CKM_ECDSA_SHA224: number;
export declare const CKM_ECDSA_SHA256: number;
export declare const CKM_ECDSA_SHA384: number;
export declare const CKM_ECDSA_SHA512: number;
export declare const CKM_ECDH1_DERIVE: number;
export declare const CKM_ECDH1_COFACTOR_DERIVE: number;
export declare const CKM_ECMQV_DERIVE: number;
export declare const CKM_JUNIPER_KEY_GEN: number;
export declare const CKM_JUNIPER_ECB128: number;
export declare const CKM_JUNIPER_CBC128: number;
export declare const CKM_JUNIPER_COUNTER: number;
export declare const CKM_JUNIPER_SHUFFLE: number;
export declare const CKM_JUNIPER_WRAP: number;
export declare const CKM_FASTHASH: number;
export declare const CKM_AES_KEY_GEN: number;
export declare const CKM_AES_ECB: number;
export declare const CKM_AES_CBC: number;
export declare const CKM_AES_MAC: number;
export declare const CKM_AES_MAC_GENERAL: number;
export declare const CKM_AES_CBC_PAD: number;
export declare const CKM_AES_CTR: number;
export declare const CKM_AES_CTS: number;
export declare const CKM_AES_CMAC: number;
export declare const CKM_AES_CMAC_GENERAL: number;
export declare const CKM_BLOWFISH_KEY_GEN: number;
export declare const CKM_BLOWFISH_CBC: number;
export declare const CKM_TWOFISH_KEY_GEN: number;
export declare const CKM_TWOFISH_CBC: number;
export declare const CKM_AES_GCM: number;
export declare const CKM_AES_CCM: number;
export declare const CKM_AES_KEY_WRAP: number;
export declare const CKM_AES_KEY_WRAP_PAD: number;
export declare const CKM_BLOWFISH_CBC_PAD: number;
export declare const CKM_TWOFISH_CBC_PAD: number;
export declare const CKM_DES_ECB_ENCRYPT_DATA: number;
export declare const CKM_DES_CBC_ENCRYPT_DATA: number;
export declare const CKM_DES3_ECB_ENCRYPT_DATA: number;
export declare const CKM_DES3_CBC_ENCRYPT_DATA: number;
export declare const CKM_AES_ECB_ENCRYPT_DATA: number;
export declare const CKM_AES_CBC_ENCRYPT_DATA: number;
export declare const CKM_GOSTR3410_KEY_PAIR_GEN: number;
export declare const CKM_GOSTR3410: number;
export declare const CKM_GOSTR3410_WITH_GOSTR3411: number;
export declare const CKM_GOSTR3410_KEY_WRAP: number;
export declare const CKM_GOSTR3410_DERIVE: number;
export declare const CKM_GOSTR3411: number;
export declare const CKM_GOSTR3411_HMAC: number;
export declare const CKM_GOST28147_KEY_GEN: number;
export declare const CKM_GOST28147_ECB: number;
export declare const CKM_GOST28147: number;
export declare const CKM_GOST28147_MAC: number;
export declare const CKM_GOST28147_KEY_WRAP: number;
export declare const CKM_DSA_PARAMETER_GEN: number;
export declare const CKM_DH_PKCS_PARAMETER_GEN: number;
export declare const CKM_X9_42_DH_PARAMETER_GEN: number;
export declare const CKM_AES_OFB: number;
export declare const CKM_AES_CFB64: number;
export declare const CKM_AES_CFB8: number;
export declare const CKM_AES_CFB128: number;
export declare const CKM_RSA_PKCS_TPM_1_1: number;
export declare const CKM_RSA_PKCS_OAEP_TPM_1_1: number;
export declare const CKM_VENDOR_DEFINED: number;
//#endregion

//#region Session flags
export declare const CKF_RW_SESSION: number;
export declare const CKF_SERIAL_SESSION: number;
//#endregion

//#region Mechanism flags
export declare const CKF_HW: number;
export declare const CKF_ENCRYPT: number;
export declare const CKF_DECRYPT: number;
export declare const CKF_DIGEST: number;
export declare const CKF_SIGN: number;
export declare const CKF_SIGN_RECOVER: number;
export declare const CKF_VERIFY: number;
export declare const CKF_VERIFY_RECOVER: number;
export declare const CKF_GENERATE: number;
export declare const CKF_GENERATE_KEY_PAIR: number;
export declare const CKF_WRAP: number;
export declare const CKF_UNWRAP: number;
export declare const CKF_DERIVE: number;
//#endregion

//#region Token Information Flags
export declare const CKF_RNG: number;
export declare const CKF_WRITE_PROTECTED: number;
export declare const CKF_LOGIN_REQUIRED: number;
export declare const CKF_USER_PIN_INITIALIZED: number;
export declare const CKF_RESTORE_KEY_NOT_NEEDED: number;
export declare const CKF_CLOCK_ON_TOKEN: number;
export declare const CKF_PROTECTED_AUTHENTICATION_PATH: number;
export declare const CKF_DUAL_CRYPTO_OPERATIONS: number;
export declare const CKF_TOKEN_INITIALIZED: number;
export declare const CKF_SECONDARY_AUTHENTICATION: number;
export declare const CKF_USER_PIN_COUNT_LOW: number;
export declare const CKF_USER_PIN_FINAL_TRY: number;
export declare const CKF_USER_PIN_LOCKED: number;
export declare const CKF_USER_PIN_TO_BE_CHANGED: number;
export declare const CKF_SO_PIN_COUNT_LOW: number;
export declare const CKF_SO_PIN_FINAL_TRY: number;
export declare const CKF_SO_PIN_LOCKED: number;
export declare const CKF_SO_PIN_TO_BE_CHANGED: number;
export declare const CKF_ERROR_STATE: number;
//#endregion

//#region Event Flags
export declare const CKF_DONT_BLOCK: number;
//#endregion

//#region Certificates
export declare const CKC_X_509: number;
export declare const CKC_X_509_ATTR_CERT: number;
export declare const CKC_WTLS: number;
//#endregion

//#region MGFs
export declare const CKG_MGF1_SHA1: number;
export declare const CKG_MGF1_SHA256: number;
export declare const CKG_MGF1_SHA384: number;
export declare const CKG_MGF1_SHA512: number;
export declare const CKG_MGF1_SHA224: number;
//#endregion

//#region KDFs
export declare const CKD_NULL: number;
export declare const CKD_SHA1_KDF: number;
export declare const CKD_SHA1_KDF_ASN1: number;
export declare const CKD_SHA1_KDF_CONCATENATE: number;
export declare const CKD_SHA224_KDF: number;
export declare const CKD_SHA256_KDF: number;
export declare const CKD_SHA384_KDF: number;
export declare const CKD_SHA512_KDF: number;
export declare const CKD_CPDIVERSIFY_KDF: number;
//#endregion

//#region Mech params
export declare const CK_PARAMS_AES_CBC: number;
export declare const CK_PARAMS_AES_CCM: number;
export declare const CK_PARAMS_AES_GCM: number;
export declare const CK_PARAMS_RSA_OAEP: number;
export declare const CK_PARAMS_RSA_PSS: number;
export declare const CK_PARAMS_EC_DH: number;
export declare const CK_PARAMS_AES_GCM_v240: number;
export declare const CK_PARAMS_ECDH2_DERIVE: number;
export declare const CK_PARAMS_ECMQV_DERIVE: number;
export declare const CK_PARAMS_X9_42_DH1_DERIVE: number;
export declare const CK_PARAMS_X9_42_DH2_DERIVE: number;
export declare const CK_PARAMS_X9_42_MQV_DERIVE: number;
export declare const CK_PARAMS_KEA_DERIVE: number;
export declare const CK_PARAMS_RC2: number;
export declare const CK_PARAMS_RC2_CBC: number;
export declare const CK_PARAMS_RC2_MAC_GENERAL: number;
export declare const CK_PARAMS_RC5: number;
export declare const CK_PARAMS_RC5_CBC: number;
export declare const CK_PARAMS_RC5_MAC_GENERAL: number;
export declare const CK_PARAMS_DES_CBC_ENCRYPT_DATA: number;
export declare const CK_PARAMS_SKIPJACK_PRIVATE_WRAP: number;
export declare const CK_PARAMS_SKIPJACK_RELAYX: number;
export declare const CK_PARAMS_PBE: number;
export declare const CK_PARAMS_KEY_WRAP_SET_OAEP: number;
export declare const CK_PARAMS_GCM: number;
export declare const CK_PARAMS_CCM: number;
export declare const CK_PARAM_GOSTR3410_DERIVE: number;
export declare const CK_PARAM_GOSTR3410_KEY_WRAP: number;
//#endregion

//#region User types
export declare const CKU_SO: number;
export declare const CKU_USER: number;
export declare const CKU_CONTEXT_SPECIFIC: number;
//#endregion

// Initialize flags
export declare const CKF_LIBRARY_CANT_CREATE_OS_THREADS: number;
export declare const CKF_OS_LOCKING_OK: number;

//#region Result values
export declare const CKR_OK: number;
export declare const CKR_CANCEL: number;
export declare const CKR_HOST_MEMORY: number;
export declare const CKR_SLOT_ID_INVALID: number;
export declare const CKR_GENERAL_ERROR: number;
export declare const CKR_FUNCTION_FAILED: number;
export declare const CKR_ARGUMENTS_BAD: number;
export declare const CKR_NO_EVENT: number;
export declare const CKR_NEED_TO_CREATE_THREADS: number;
export declare const CKR_CANT_LOCK: number;
export declare const CKR_ATTRIBUTE_READ_ONLY: number;
export declare const CKR_ATTRIBUTE_SENSITIVE: number;
export declare const CKR_ATTRIBUTE_TYPE_INVALID: number;
export declare const CKR_ATTRIBUTE_VALUE_INVALID: number;
export declare const CKR_DATA_INVALID: number;
export declare const CKR_DATA_LEN_RANGE: number;
export declare const CKR_DEVICE_ERROR: number;
export declare const CKR_DEVICE_MEMORY: number;
export declare const CKR_DEVICE_REMOVED: number;
export declare const CKR_ENCRYPTED_DATA_INVALID: number;
export declare const CKR_ENCRYPTED_DATA_LEN_RANGE: number;
export declare const CKR_FUNCTION_CANCELED: number;
export declare const CKR_FUNCTION_NOT_PARALLEL: number;
export declare const CKR_FUNCTION_NOT_SUPPORTED: number;
export declare const CKR_KEY_HANDLE_INVALID: number;
export declare const CKR_KEY_SIZE_RANGE: number;
export declare const CKR_KEY_TYPE_INCONSISTENT: number;
export declare const CKR_KEY_NOT_NEEDED: number;
export declare const CKR_KEY_CHANGED: number;
export declare const CKR_KEY_NEEDED: number;
export declare const CKR_KEY_INDIGESTIBLE: number;
export declare const CKR_KEY_FUNCTION_NOT_PERMITTED: number;
export declare const CKR_KEY_NOT_WRAPPABLE: number;
export declare const CKR_KEY_UNEXTRACTABLE: number;
export declare const CKR_MECHANISM_INVALID: number;
export declare const CKR_MECHANISM_PARAM_INVALID: number;
export declare const CKR_OBJECT_HANDLE_INVALID: number;
export declare const CKR_OPERATION_ACTIVE: number;
export declare const CKR_OPERATION_NOT_INITIALIZED: number;
export declare const CKR_PIN_INCORRECT: number;
export declare const CKR_PIN_INVALID: number;
export declare const CKR_PIN_LEN_RANGE: number;
export declare const CKR_PIN_EXPIRED: number;
export declare const CKR_PIN_LOCKED: number;
export declare const CKR_SESSION_CLOSED: number;
export declare const CKR_SESSION_COUNT: number;
export declare const CKR_SESSION_HANDLE_INVALID: number;
export declare const CKR_SESSION_PARALLEL_NOT_SUPPORTED: number;
export declare const CKR_SESSION_READ_ONLY: number;
export declare const CKR_SESSION_EXISTS: number;
export declare const CKR_SESSION_READ_ONLY_EXISTS: number;
export declare const CKR_SESSION_READ_WRITE_SO_EXISTS: number;
export declare const CKR_SIGNATURE_INVALID: number;
export declare const CKR_SIGNATURE_LEN_RANGE: number;
export declare const CKR_TEMPLATE_INCOMPLETE: number;
export declare const CKR_TEMPLATE_INCONSISTENT: number;
export declare const CKR_TOKEN_NOT_PRESENT: number;
export declare const CKR_TOKEN_NOT_RECOGNIZED: number;
export declare const CKR_TOKEN_WRITE_PROTECTED: number;
export declare const CKR_UNWRAPPING_KEY_HANDLE_INVALID: number;
export declare const CKR_UNWRAPPING_KEY_SIZE_RANGE: number;
export declare const CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: number;
export declare const CKR_USER_ALREADY_LOGGED_IN: number;
export declare const CKR_USER_NOT_LOGGED_IN: number;
export declare const CKR_USER_PIN_NOT_INITIALIZED: number;
export declare const CKR_USER_TYPE_INVALID: number;
export declare const CKR_USER_ANOTHER_ALREADY_LOGGED_IN: number;
export declare const CKR_USER_TOO_MANY_TYPES: number;
export declare const CKR_WRAPPED_KEY_INVALID: number;
export declare const CKR_WRAPPED_KEY_LEN_RANGE: number;
export declare const CKR_WRAPPING_KEY_HANDLE_INVALID: number;
export declare const CKR_WRAPPING_KEY_SIZE_RANGE: number;
export declare const CKR_WRAPPING_KEY_TYPE_INCONSISTENT: number;
export declare const CKR_RANDOM_SEED_NOT_SUPPORTED: number;
export declare const CKR_RANDOM_NO_RNG: number;
export declare const CKR_DOMAIN_PARAMS_INVALID: number;
export declare const CKR_BUFFER_TOO_SMALL: number;
export declare const CKR_SAVED_STATE_INVALID: number;
export declare const CKR_INFORMATION_SENSITIVE: number;
export declare const CKR_STATE_UNSAVEABLE: number;
export declare const CKR_CRYPTOKI_NOT_INITIALIZED: number;
export declare const CKR_CRYPTOKI_ALREADY_INITIALIZED: number;
export declare const CKR_MUTEX_BAD: number;
export declare const CKR_MUTEX_NOT_LOCKED: number;
export declare const CKR_NEW_PIN_MODE: number;
export declare const CKR_NEXT_OTP: number;
export declare const CKR_EXCEEDED_MAX_ITERATIONS: number;
export declare const CKR_FIPS_SELF_TEST_FAILED: number;
export declare const CKR_LIBRARY_LOAD_FAILED: number;
export declare const CKR_PIN_TOO_WEAK: number;
export declare const CKR_PUBLIC_KEY_INVALID: number;
export declare const CKR_FUNCTION_REJECTED: number;
//#endregion

/**
 * Exception from native module
 */
export declare class NativeError extends Error {
  /**
   * Native library call stack. Default is empty string
   */
  public readonly nativeStack: string;
  /**
   * Native function name. Default is empty string
   */
  public readonly method: string;
  /**
   * Initialize new instance of NativeError
   * @param message Error message
   */
  public constructor(message?: string, method?: string);
}

/**
 * Exception with the name and value of PKCS#11 return value
 */
export declare class Pkcs11Error extends NativeError {
  /**
   * PKCS#11 result value. Default is 0
   */
  public readonly code: number;
  /**
   * Initialize new instance of Pkcs11Error
   * @param message Error message
   * @param code PKCS#11 result value
   * @param method The name of PKCS#11 method
   */
  public constructor(message?: string, code?: number, method?: string);
}
