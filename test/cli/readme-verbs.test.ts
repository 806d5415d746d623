import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMhsmCli } from "../harness/mhsm-cli.js";

const README = join(import.meta.dirname, "../../README.md");

/** The subcommands `mhsm <path> --help` lists (without commander's own `help`). */
async function subcommands(path: string[]): Promise<string[]> {
  const help = await runMhsmCli([...path, "--help"]);
  assert.equal(help.code, 0, help.stderr);
  const section = help.stdout.split(/^Commands:$/m)[1];
  if (!section) return [];
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map((match) => match[1] as string)
    .filter((name) => name !== "help");
}

/** Every command path of the built CLI, from its own --help: ["key", "get-attestation"], … */
async function commandPaths(path: string[] = []): Promise<string[][]> {
  const paths: string[][] = [];
  for (const name of await subcommands(path)) {
    const child = [...path, name];
    paths.push(child);
    paths.push(...(await commandPaths(child)));
  }
  return paths;
}

/**
 * The README's "The mhsm command line" section names every command the CLI has, read from the
 * CLI's own --help: a verb added to the CLI without a word in the README fails here.
 */
describe("README names every mhsm command", () => {
  it("mentions each command group as `mhsm <group>` and each verb by name", async () => {
    const readme = await readFile(README, "utf8");
    const start = readme.indexOf("## The mhsm command line");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const paths = await commandPaths();
    assert.ok(paths.length > 40, `the CLI's --help lists its commands (found ${paths.length})`);
    const missing: string[] = [];
    for (const path of paths) {
      const [group] = path as [string];
      if (path.length === 1 && !section.includes(`mhsm ${group}`)) missing.push(`mhsm ${group}`);
      const verb = path[path.length - 1] as string;
      if (path.length > 1 && !new RegExp(`(?<![\\w-])${verb}(?![\\w-])`).test(section))
        missing.push(path.join(" "));
    }
    assert.deepEqual(missing, [], "commands the README's command-line section does not name");
  });
});
