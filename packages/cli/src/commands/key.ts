import type { Command } from "commander";
import { addGroup } from "../verb.js";
import { registerKeyAttestationCommands } from "./key-attestation.js";
import { registerKeyCryptoCommands } from "./key-crypto.js";
import { registerKeyManagementCommands } from "./key-management.js";
import { registerKeyRecoveryCommands } from "./key-recovery.js";
import { registerKeyRotationPolicyCommands } from "./key-rotation-policy.js";

/**
 * `mhsm key …`: the HSM's keys, through @azure/keyvault-keys. An Administrator manages the HSM,
 * not its keys: these verbs need Crypto Officer (manage) or Crypto User (use) on the keys.
 */
export function registerKeyCommands(program: Command): void {
  const key = addGroup(
    program,
    "key",
    "the HSM's keys (needs Managed HSM Crypto Officer or Crypto User: see mhsm role assignment create)",
  );
  registerKeyManagementCommands(key);
  registerKeyRecoveryCommands(key);
  registerKeyRotationPolicyCommands(key);
  registerKeyCryptoCommands(key);
  registerKeyAttestationCommands(key);
}
