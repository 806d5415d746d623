import { type Command, Option } from "commander";
import type { KeyCurveName, KeyProperties, KeyType } from "@azure/keyvault-keys";
import { badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { type KeyAttributeFlags, keyAttributes } from "../key-attributes.js";
import { printItem, printList } from "../output.js";
import { type VerbFlags, addVerb, outputOf } from "../verb.js";
import { keyPropertiesView, keyVersionView, keyView } from "../views/key-views.js";

const KEY_TYPES = ["RSA-HSM", "EC-HSM", "oct-HSM", "RSA", "EC", "oct"];
const CURVES = ["P-256", "P-256K", "P-384", "P-521"];

interface CreateFlags extends VerbFlags, KeyAttributeFlags {
  name: string;
  kty: string;
  size?: string;
  curve?: string;
  disabled?: boolean;
}

interface UpdateFlags extends VerbFlags, KeyAttributeFlags {
  name: string;
  version?: string;
  enabled?: string;
}

/** `mhsm key create|list|list-versions|show|update|rotate`. */
export function registerKeyManagementCommands(key: Command): void {
  withAttributeFlags(
    addVerb(key, {
      name: "create",
      description: "create a key (a new version if the name exists)",
      examples: [
        "mhsm key create --name signing-key --kty RSA-HSM --size 3072 --ops sign verify",
        "mhsm key create --name data-key --kty oct-HSM --size 256 --tags team=payments",
      ],
    })
      .requiredOption("-n, --name <name>", "the key's name (letters, digits and -)")
      .addOption(new Option("--kty <type>", "key type").choices(KEY_TYPES).default("RSA-HSM"))
      .option("--size <bits>", "RSA: 2048, 3072 or 4096; oct: 128, 192 or 256")
      .addOption(new Option("--curve <curve>", "EC curve").choices(CURVES))
      .option("--disabled", "create the key disabled"),
  ).action(
    runAction(async (flags: CreateFlags) => {
      const keys = (await HsmClients.connect(flags)).keys();
      const created = await keys.createKey(flags.name, flags.kty as KeyType, {
        ...keyAttributes(flags),
        keySize: flags.size === undefined ? undefined : positiveInteger("--size", flags.size),
        curve: flags.curve as KeyCurveName | undefined,
        enabled: !flags.disabled,
      });
      printItem(created, keyView, outputOf(flags));
    }),
  );

  addVerb(key, {
    name: "list",
    description: "list the keys (their latest versions' properties)",
    examples: ["mhsm key list", "mhsm key list -o json | jq -r '.[] | select(.enabled) | .name'"],
  }).action(
    runAction(async (flags: VerbFlags) => {
      const keys = (await HsmClients.connect(flags)).keys();
      const listed: KeyProperties[] = [];
      for await (const properties of keys.listPropertiesOfKeys()) listed.push(properties);
      printList(listed, keyPropertiesView, outputOf(flags));
    }),
  );

  addVerb(key, {
    name: "list-versions",
    description: "list the versions of a key",
    examples: ["mhsm key list-versions --name signing-key"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const keys = (await HsmClients.connect(flags)).keys();
        const versions: KeyProperties[] = [];
        for await (const properties of keys.listPropertiesOfKeyVersions(flags.name))
          versions.push(properties);
        printList(versions, keyVersionView, outputOf(flags));
      }),
    );

  addVerb(key, {
    name: "show",
    description: "show a key: its attributes and public key",
    examples: ["mhsm key show --name signing-key", "mhsm key show --name signing-key -o json | jq .key"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .option("--version <version>", "a version (default: the latest)")
    .action(
      runAction(async (flags: VerbFlags & { name: string; version?: string }) => {
        const keys = (await HsmClients.connect(flags)).keys();
        printItem(await keys.getKey(flags.name, { version: flags.version }), keyView, outputOf(flags));
      }),
    );

  withAttributeFlags(
    addVerb(key, {
      name: "update",
      description: "change a key's attributes (enabled, operations, dates, tags)",
      examples: [
        "mhsm key update --name signing-key --enabled false",
        "mhsm key update --name signing-key --expires 2027-01-01 --tags team=payments env=prod",
      ],
    })
      .requiredOption("-n, --name <name>", "the key's name")
      .option("--version <version>", "a version (default: the latest)")
      .addOption(new Option("--enabled <enabled>", "enable or disable the key").choices(["true", "false"])),
  ).action(
    runAction(async (flags: UpdateFlags) => {
      const changes = {
        ...keyAttributes(flags),
        ...(flags.enabled === undefined ? {} : { enabled: flags.enabled === "true" }),
      };
      if (Object.keys(changes).length === 0) {
        throw badArgument("nothing to update: give --enabled, --ops, --not-before, --expires or --tags");
      }
      const keys = (await HsmClients.connect(flags)).keys();
      const updated = flags.version
        ? await keys.updateKeyProperties(flags.name, flags.version, changes)
        : await keys.updateKeyProperties(flags.name, changes);
      printItem(updated, keyView, outputOf(flags));
    }),
  );

  addVerb(key, {
    name: "rotate",
    description: "make a new version of a key now (as its rotation policy would)",
    examples: ["mhsm key rotate --name signing-key"],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const keys = (await HsmClients.connect(flags)).keys();
        printItem(await keys.rotateKey(flags.name), keyView, outputOf(flags));
      }),
    );
}

function withAttributeFlags(verb: Command): Command {
  return verb
    .option("--ops <operations...>", "allowed operations: encrypt decrypt sign verify wrapKey unwrapKey")
    .option("--not-before <date>", "not usable before this date (ISO 8601)")
    .option("--expires <date>", "not usable after this date (ISO 8601)")
    .option("--tags <pairs...>", 'tags as key=value (update: replaces all tags; "" clears them)');
}

function positiveInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw badArgument(`${flag} must be a number (got '${value}')`);
  return Number(value);
}
