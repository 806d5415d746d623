import type { Command } from "commander";
import { runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem } from "../output.js";
import { type RotationPolicyFlags, rotationPolicyInput } from "../rotation-policy-input.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import { rotationPolicyView } from "../views/key-views.js";

/** `mhsm key rotation-policy show|update`. */
export function registerKeyRotationPolicyCommands(key: Command): void {
  const policy = addGroup(
    key,
    "rotation-policy",
    "when the HSM rotates a key by itself, and when versions expire",
  );

  addVerb(policy, {
    name: "show",
    description: "show a key's rotation policy",
    examples: ["mhsm key rotation-policy show --name signing-key"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const keys = (await HsmClients.connect(flags)).keys();
        printItem(await keys.getKeyRotationPolicy(flags.name), rotationPolicyView, outputOf(flags));
      }),
    );

  addVerb(policy, {
    name: "update",
    description: "set a key's rotation policy (replacing the previous one)",
    examples: [
      "mhsm key rotation-policy update --name signing-key --rotate-after-create P90D --expires-in P1Y",
      "mhsm key rotation-policy update --name signing-key --policy @policy.json",
    ],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .option("--policy <json>", "the policy as JSON, @file or - (stdin); REST/az or SDK shape")
    .option("--expires-in <duration>", "new versions expire this long after creation, e.g. P1Y")
    .option("--rotate-after-create <duration>", "rotate this long after a version is created, e.g. P90D")
    .option("--rotate-before-expiry <duration>", "rotate this long before a version expires, e.g. P30D")
    .option("--notify-before-expiry <duration>", "notify this long before a version expires, e.g. P30D")
    .action(
      runAction(async (flags: VerbFlags & RotationPolicyFlags & { name: string }) => {
        const input = await rotationPolicyInput(flags);
        const keys = (await HsmClients.connect(flags)).keys();
        printItem(await keys.updateKeyRotationPolicy(flags.name, input), rotationPolicyView, outputOf(flags));
      }),
    );
}
