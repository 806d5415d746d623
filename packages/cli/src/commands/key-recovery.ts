import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { DeletedKey } from "@azure/keyvault-keys";
import { CliError, runAction } from "../cli-error.js";
import { readArgument } from "../argument-sources.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, printList } from "../output.js";
import { type VerbFlags, addVerb, outputOf } from "../verb.js";
import { deletedKeyListView, deletedKeyView, keyView } from "../views/key-views.js";

type NamedFlags = VerbFlags & { name: string };

/** `mhsm key delete|list-deleted|recover|purge|backup|restore`: soft delete and key backups. */
export function registerKeyRecoveryCommands(key: Command): void {
  addVerb(key, {
    name: "delete",
    description: "delete a key (soft delete: recoverable until purged or its retention ends)",
    examples: ["mhsm key delete --name old-key"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .action(
      runAction(async (flags: NamedFlags) => {
        const keys = (await HsmClients.connect(flags)).keys();
        const poller = await keys.beginDeleteKey(flags.name);
        printItem(await poller.pollUntilDone(), deletedKeyView, outputOf(flags));
      }),
    );

  addVerb(key, {
    name: "list-deleted",
    description: "list deleted keys that can still be recovered or purged",
    examples: ["mhsm key list-deleted"],
  }).action(
    runAction(async (flags: VerbFlags) => {
      const keys = (await HsmClients.connect(flags)).keys();
      const deleted: DeletedKey[] = [];
      for await (const entry of keys.listDeletedKeys()) deleted.push(entry);
      printList(deleted, deletedKeyListView, outputOf(flags));
    }),
  );

  addVerb(key, {
    name: "recover",
    description: "recover a deleted key, with all its versions",
    examples: ["mhsm key recover --name old-key"],
  })
    .requiredOption("-n, --name <name>", "the deleted key's name")
    .action(
      runAction(async (flags: NamedFlags) => {
        const keys = (await HsmClients.connect(flags)).keys();
        await (await keys.beginRecoverDeletedKey(flags.name)).pollUntilDone();
        printItem(await keys.getKey(flags.name), keyView, outputOf(flags));
      }),
    );

  addVerb(key, {
    name: "purge",
    description: "erase a deleted key for good (prints nothing)",
    examples: ["mhsm key purge --name old-key"],
  })
    .requiredOption("-n, --name <name>", "the deleted key's name")
    .action(
      runAction(async (flags: NamedFlags) => {
        await (await HsmClients.connect(flags)).keys().purgeDeletedKey(flags.name);
      }),
    );

  addVerb(key, {
    name: "backup",
    description: "write a key's protected backup (all versions) to a file, for key restore",
    examples: ["mhsm key backup --name signing-key --file signing-key.backup"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .requiredOption("-f, --file <file>", "where to write the backup (never overwritten)")
    .action(
      runAction(async (flags: NamedFlags & { file: string }) => {
        const blob = await (await HsmClients.connect(flags)).keys().backupKey(flags.name);
        if (!blob) throw new CliError("EmptyBackup", "the HSM returned no backup");
        // The blob is sealed key material: to a new owner-only file, never to stdout.
        await writeFile(flags.file, blob, { flag: "wx", mode: 0o600 }).catch(
          (error: NodeJS.ErrnoException) => {
            if (error.code === "EEXIST")
              throw new CliError("FileExists", `${flags.file} exists; choose another --file`);
            throw error;
          },
        );
        printItem(
          { name: flags.name, file: flags.file, bytes: blob.length },
          backupFileView,
          outputOf(flags),
        );
      }),
    );

  addVerb(key, {
    name: "restore",
    description: "restore a key (all versions) from a key backup file; its name must be free",
    examples: ["mhsm key restore --file signing-key.backup"],
  })
    .requiredOption("-f, --file <file>", "the backup file (or - for stdin)")
    .action(
      runAction(async (flags: VerbFlags & { file: string }) => {
        const blob = await readArgument("--file", flags.file === "-" ? "-" : `@${flags.file}`);
        const restored = await (await HsmClients.connect(flags)).keys().restoreKeyBackup(blob);
        printItem(restored, keyView, outputOf(flags));
      }),
    );
}

const backupFileView = {
  json: (row: { name: string; file: string; bytes: number }) => row,
  columns: [
    { header: "Name", value: (row: { name: string }) => row.name },
    { header: "File", value: (row: { file: string }) => row.file },
    { header: "Bytes", value: (row: { bytes: number }) => row.bytes },
  ],
};
