import type { Pkcs11Binding } from "./pkcs11-binding.js";

/**
 * PKCS#11 return values that say the token (or our sessions with it) went away rather than that
 * a request was wrong: the request answers 503 and the pool reopens its sessions on the next
 * one. Anything else is the request's own failure: CKR_GENERAL_ERROR and CKR_FUNCTION_FAILED
 * included, which SoftHSM answers for a GCM tag that does not verify.
 */
const DEVICE_GONE = [
  "CKR_DEVICE_REMOVED",
  "CKR_DEVICE_ERROR",
  "CKR_TOKEN_NOT_PRESENT",
  "CKR_TOKEN_NOT_RECOGNIZED",
  "CKR_SESSION_HANDLE_INVALID",
  "CKR_SESSION_CLOSED",
  "CKR_SESSION_COUNT",
  "CKR_CRYPTOKI_NOT_INITIALIZED",
  "CKR_USER_NOT_LOGGED_IN",
  "CKR_DEVICE_MEMORY",
  "CKR_HOST_MEMORY",
  // Handles that were valid a moment ago: the sessions (and with them the login and the session
  // keys) were lost, so the token's state must be set up again. Reconnecting costs one login.
  "CKR_KEY_HANDLE_INVALID",
  "CKR_OBJECT_HANDLE_INVALID",
  "CKR_WRAPPING_KEY_HANDLE_INVALID",
  "CKR_UNWRAPPING_KEY_HANDLE_INVALID",
] as const;

/** The PKCS#11 return value's name (CKR_…) of an error the binding threw, if it is one. */
export function pkcs11ReturnName(binding: Pkcs11Binding, error: unknown): string | undefined {
  if (!(error instanceof binding.Pkcs11Error)) return undefined;
  for (const [name, value] of Object.entries(binding)) {
    if (name.startsWith("CKR_") && value === error.code) return name;
  }
  return `CKR 0x${error.code.toString(16)}`;
}

export function isDeviceGone(returnName: string | undefined): boolean {
  return returnName !== undefined && (DEVICE_GONE as readonly string[]).includes(returnName);
}
