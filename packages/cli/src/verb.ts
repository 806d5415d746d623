import { type Command, Help, Option } from "commander";
import { type ConnectionFlags, withConnectionFlags } from "./connection/connection-flags.js";
import { OUTPUT_FORMATS, type OutputFormat, resolveOutput } from "./output.js";

const COMMON_GROUP = "Connection and output:";

/** The flags every admin verb has: how to reach the HSM, and how to print the answer. */
export interface VerbFlags extends ConnectionFlags {
  output?: OutputFormat;
}

export interface VerbSpec {
  name: string;
  description: string;
  /** Shown under "Example:" in --help: each verb's help shows one real use. */
  examples: string[];
  /** Positional arguments, e.g. "<jobId>". */
  arguments?: Array<{ name: string; description: string }>;
}

/**
 * A verb under a command group (`mhsm role definition list`): the connection flags,
 * --output, its arguments and an example in --help. The caller adds its own flags and action.
 */
export function addVerb(group: Command, spec: VerbSpec): Command {
  const verb = group.command(spec.name).description(spec.description);
  for (const argument of spec.arguments ?? []) verb.argument(argument.name, argument.description);
  const before = verb.options.length;
  withConnectionFlags(verb);
  verb.addOption(
    new Option(
      "-o, --output <format>",
      "json, table or tsv (default: table on a terminal, json otherwise)",
    ).choices(OUTPUT_FORMATS),
  );
  for (const option of verb.options.slice(before)) option.helpGroup(COMMON_GROUP);
  // The verb's own flags are added after these; --help lists them first all the same.
  verb.configureHelp({
    groupItems<T extends Command | Option>(
      this: Help,
      unsorted: T[],
      visible: T[],
      groupOf: (item: T) => string,
    ) {
      const groups = Help.prototype.groupItems.bind(this)(unsorted, visible, groupOf);
      const common = groups.get(COMMON_GROUP);
      groups.delete(COMMON_GROUP);
      if (common) groups.set(COMMON_GROUP, common);
      return groups;
    },
  });
  verb.addHelpText(
    "after",
    `\nExample${spec.examples.length > 1 ? "s" : ""}:\n${spec.examples.map((e) => `  ${e}`).join("\n")}`,
  );
  return verb;
}

/** The format a verb prints in. */
export function outputOf(flags: VerbFlags): OutputFormat {
  return resolveOutput(flags.output);
}

/** A command group (`mhsm role`, `mhsm key`): a description and its verbs, no action of its own. */
export function addGroup(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description);
}
