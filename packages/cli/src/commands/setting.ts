import type { Command } from "commander";
import { runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, printList } from "../output.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import { settingView } from "../views/setting-views.js";

/** `mhsm setting list|show|update`: the HSM's account settings. */
export function registerSettingCommands(program: Command): void {
  const setting = addGroup(program, "setting", "the HSM's account settings");

  addVerb(setting, {
    name: "list",
    description: "list the settings and their values",
    examples: ["mhsm setting list"],
  }).action(
    runAction(async (flags: VerbFlags) => {
      const { settings } = await (await HsmClients.connect(flags)).settings().getSettings();
      printList(settings, settingView, outputOf(flags));
    }),
  );

  addVerb(setting, {
    name: "show",
    description: "show one setting",
    examples: ["mhsm setting show --name AllowKeyManagementOperationsThroughARM"],
  })
    .requiredOption("-n, --name <name>", "the setting's name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const found = await (await HsmClients.connect(flags)).settings().getSetting(flags.name);
        printItem(found, settingView, outputOf(flags));
      }),
    );

  addVerb(setting, {
    name: "update",
    description: "change a setting's value",
    examples: ["mhsm setting update --name AllowKeyManagementOperationsThroughARM --value true"],
  })
    .requiredOption("-n, --name <name>", "the setting's name")
    .requiredOption("--value <value>", "the new value (for a boolean setting: true or false)")
    .action(
      runAction(async (flags: VerbFlags & { name: string; value: string }) => {
        const client = (await HsmClients.connect(flags)).settings();
        const updated = await client.updateSetting({ name: flags.name, value: flags.value });
        printItem(updated, settingView, outputOf(flags));
      }),
    );
}
