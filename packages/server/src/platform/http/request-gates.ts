/**
 * A gate closes the HSM's data plane for a while: before activation (no domain key yet), and
 * while a full restore replaces its contents. A route passes a gate only by declaring it where
 * the route is registered (`passes: ["activation"]`); the check runs in one place (app.ts),
 * after authentication and before authorization and the body.
 */
import type { KeyVaultErrorCode } from "../errors/key-vault-errors.js";

export type GateName = "activation" | "restore";

export interface RequestGate {
  readonly name: GateName;
  /** Undefined while the gate is open; while it is closed, the 503 to answer. */
  refusal(): GateRefusal | undefined;
}

export interface GateRefusal {
  code: KeyVaultErrorCode;
  message: string;
  /** Sent as Retry-After. */
  retryAfterSeconds?: number;
}
