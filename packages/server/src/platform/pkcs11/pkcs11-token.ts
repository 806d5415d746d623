import type { PKCS11 } from "./pkcs11js-types.js";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import { type Pkcs11Binding, Pkcs11StartError, loadPkcs11Binding } from "./pkcs11-binding.js";
import { isDeviceGone, pkcs11ReturnName } from "./token-failure.js";

export interface Pkcs11TokenOptions {
  /** The vendor's PKCS#11 module (.so). */
  module: string;
  /** The token, by label or by slot id (exactly one). */
  tokenLabel?: string | undefined;
  slot?: number | undefined;
  /** The user PIN: never logged, never in an error. */
  pin: string;
  /** Sessions kept open: PKCS#11 sessions do one operation at a time. */
  sessions?: number;
}

type Handle = Buffer;

/** A borrowed session and the pool (generation) it belongs to. */
interface Lease {
  session: Handle;
  generation: number;
}

/** What a caller is given for one operation: a logged-in session of its own and the binding. */
export interface TokenSession {
  p11: PKCS11;
  session: Handle;
  binding: Pkcs11Binding;
}

/**
 * One PKCS#11 token, logged in as its user, with a pool of sessions. PKCS#11 sessions are not
 * to be used by two operations at once, so each operation borrows a session of its own; the
 * calls themselves run on libuv's threads (the binding's *Async calls, C_Initialize with
 * CKF_OS_LOCKING_OK), so the event loop keeps serving.
 *
 * When the token goes away (a device or session error: token-failure.ts), the operation answers
 * HsmDeviceUnavailable (503), the pool is dropped, and the next operation opens the module again,
 * logs in and replays what `onReconnect` listeners put in the token's session memory (the key
 * derived from the domain key). Nothing is lost: the token objects and the store are untouched.
 */
export class Pkcs11Token {
  readonly binding: Pkcs11Binding;
  #p11: PKCS11;
  #slot: Handle;
  #idle: Handle[] = [];
  #open = 0;
  #waiters: Array<(lease: Lease) => void> = [];
  #generation = 0;
  #broken = false;
  #reconnecting: Promise<void> | undefined;
  #mechanisms: Set<number>;
  readonly #reconnectListeners: Array<(session: TokenSession) => void | Promise<void>> = [];
  readonly #maxSessions: number;
  readonly label: string;

  private constructor(
    private readonly options: Pkcs11TokenOptions,
    binding: Pkcs11Binding,
  ) {
    this.binding = binding;
    this.#maxSessions = options.sessions ?? 8;
    const { p11, slot, label } = connect(binding, options);
    this.#p11 = p11;
    this.#slot = slot;
    this.label = label;
    this.#mechanisms = new Set(p11.C_GetMechanismList(slot));
  }

  /** Loads the module, finds the token and logs in; a Pkcs11StartError names what is wrong. */
  static open(options: Pkcs11TokenOptions): Pkcs11Token {
    return new Pkcs11Token(options, loadPkcs11Binding());
  }

  hasMechanism(mechanism: number): boolean {
    return this.#mechanisms.has(mechanism);
  }

  /** Run after every reconnection, before any operation (session objects are gone by then). */
  onReconnect(listener: (session: TokenSession) => void | Promise<void>): void {
    this.#reconnectListeners.push(listener);
  }

  /**
   * One operation on a session of its own. A device or session failure answers 503 and marks
   * the pool for reopening; other PKCS#11 errors reach the caller as the binding threw them.
   */
  async withSession<T>(use: (session: TokenSession) => Promise<T> | T): Promise<T> {
    // One reconnection at a time; every operation waits for it to finish, listeners included
    // (until then the session keys and cached handles are the lost session's).
    while (this.#broken || this.#reconnecting) {
      this.#reconnecting ??= this.#reconnect().finally(() => {
        this.#reconnecting = undefined;
      });
      await this.#reconnecting;
    }
    const { session, generation } = await this.#acquire();
    try {
      return await use({ p11: this.#p11, session, binding: this.binding });
    } catch (error) {
      const name = pkcs11ReturnName(this.binding, error);
      if (isDeviceGone(name)) {
        if (generation === this.#generation) this.#broken = true;
        throw KeyVaultErrors.hsmDeviceUnavailable(name as string);
      }
      throw error;
    } finally {
      this.#release(session, generation);
    }
  }

  close(): void {
    try {
      this.#p11.C_CloseAllSessions(this.#slot);
      this.#p11.C_Finalize();
    } catch {
      // closing a token that already went away
    }
  }

  async #acquire(): Promise<Lease> {
    const generation = this.#generation;
    const idle = this.#idle.pop();
    if (idle) return { session: idle, generation };
    if (this.#open < this.#maxSessions) {
      this.#open += 1;
      try {
        const session = this.#p11.C_OpenSession(
          this.#slot,
          this.binding.CKF_SERIAL_SESSION | this.binding.CKF_RW_SESSION,
        );
        return { session, generation };
      } catch (error) {
        this.#open -= 1;
        const name = pkcs11ReturnName(this.binding, error);
        if (isDeviceGone(name)) this.#broken = true;
        throw KeyVaultErrors.hsmDeviceUnavailable(name ?? "C_OpenSession failed");
      }
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(session: Handle, generation: number): void {
    if (generation !== this.#generation) return; // a session of a pool since dropped
    const waiter = this.#waiters.shift();
    if (waiter) waiter({ session, generation });
    else this.#idle.push(session);
  }

  /** Opens the module again from scratch; the waiting operations get sessions of the new pool. */
  async #reconnect(): Promise<void> {
    this.close();
    this.#generation += 1;
    this.#idle = [];
    this.#open = 0;
    try {
      const { p11, slot } = connect(this.binding, this.options);
      this.#p11 = p11;
      this.#slot = slot;
    } catch (error) {
      throw KeyVaultErrors.hsmDeviceUnavailable(
        error instanceof Pkcs11StartError ? "the token cannot be opened again" : "reconnection failed",
      );
    }
    const { session, generation } = await this.#acquire();
    try {
      for (const listener of this.#reconnectListeners) {
        await listener({ p11: this.#p11, session, binding: this.binding });
      }
    } catch {
      throw KeyVaultErrors.hsmDeviceUnavailable("the token's session keys cannot be restored");
    } finally {
      this.#release(session, generation);
    }
    this.#broken = false;
    const waiting = this.#waiters.splice(0);
    for (const waiter of waiting) void this.#acquire().then(waiter);
  }
}

/** Loads the module, finds the token, logs in once (PKCS#11 logins are per application). */
function connect(
  binding: Pkcs11Binding,
  options: Pkcs11TokenOptions,
): { p11: PKCS11; slot: Handle; label: string } {
  const p11 = new binding.PKCS11();
  try {
    p11.load(options.module);
  } catch (error) {
    throw new Pkcs11StartError(
      `cannot load the PKCS#11 module ${options.module}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  try {
    p11.C_Initialize({ flags: binding.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (pkcs11ReturnName(binding, error) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") {
      throw new Pkcs11StartError(
        `the PKCS#11 module ${options.module} failed to initialize (${pkcs11ReturnName(binding, error) ?? (error as Error).message})`,
      );
    }
  }
  const { slot, label } = findToken(binding, p11, options);
  const session = p11.C_OpenSession(slot, binding.CKF_SERIAL_SESSION | binding.CKF_RW_SESSION);
  try {
    p11.C_Login(session, binding.CKU_USER, options.pin);
  } catch (error) {
    const name = pkcs11ReturnName(binding, error);
    if (name !== "CKR_USER_ALREADY_LOGGED_IN") {
      p11.C_Finalize();
      const why =
        name === "CKR_PIN_INCORRECT"
          ? "the user PIN is wrong"
          : name === "CKR_PIN_LOCKED"
            ? "the user PIN is locked"
            : "the login failed";
      throw new Pkcs11StartError(`the PKCS#11 token '${label}' refused the login: ${why} (${name})`);
    }
  }
  // The login holds as long as one session is open: this one stays open with the application.
  return { p11, slot, label };
}

function findToken(
  binding: Pkcs11Binding,
  p11: PKCS11,
  options: Pkcs11TokenOptions,
): { slot: Handle; label: string } {
  const tokens = p11.C_GetSlotList(true).map((slot) => ({
    slot,
    id: slot.readUIntLE(0, Math.min(slot.length, 6)),
    label: p11.C_GetTokenInfo(slot).label.trim(),
  }));
  const found = tokens.find((token) =>
    options.tokenLabel !== undefined ? token.label === options.tokenLabel : token.id === options.slot,
  );
  if (!found) {
    const wanted =
      options.tokenLabel !== undefined ? `labelled '${options.tokenLabel}'` : `in slot ${options.slot}`;
    const present = tokens.map((token) => `'${token.label}' (slot ${token.id})`).join(", ") || "none";
    p11.C_Finalize();
    throw new Pkcs11StartError(`no PKCS#11 token ${wanted} in ${options.module}; tokens present: ${present}`);
  }
  void binding;
  return { slot: found.slot, label: found.label };
}
