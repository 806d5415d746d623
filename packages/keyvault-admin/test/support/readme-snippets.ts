import { readFileSync } from "node:fs";

export interface Snippet {
  /** The nearest heading above the code block, e.g. "List role definitions". */
  heading: string;
  /** A complete program: the example, after the "Create <client>" snippet it builds on. */
  source: string;
}

const CLIENT_LINE = /^\/\/ client: (\w+)\n/;

/**
 * The README's TypeScript snippets as programs. An example whose first line is
 * `// client: KeyVaultBackupClient` continues the snippet that creates that client (the README
 * says so); the others stand alone.
 */
export function readmeSnippets(readmePath: string): Snippet[] {
  const blocks: { heading: string; code: string }[] = [];
  let heading = "";
  const lines = readFileSync(readmePath, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const title = /^#+ (.+)$/.exec(line);
    if (title) heading = title[1] as string;
    if (line.trim() !== "```ts") continue;
    const code: string[] = [];
    while (++i < lines.length && lines[i]?.trim() !== "```") code.push(lines[i] as string);
    blocks.push({ heading, code: `${code.join("\n")}\n` });
  }
  const creating = (clientClass: string) => {
    const block = blocks.find((b) => !CLIENT_LINE.test(b.code) && b.code.includes(`new ${clientClass}(`));
    if (!block) throw new Error(`the README has no snippet that creates a ${clientClass}`);
    return block.code;
  };
  return blocks.map(({ heading, code }) => {
    const client = CLIENT_LINE.exec(code)?.[1];
    return { heading, source: client ? joinPrograms(creating(client), code.replace(CLIENT_LINE, "")) : code };
  });
}

/** One module from two: all imports first (ES modules allow importing one module twice). */
function joinPrograms(first: string, second: string): string {
  const parts = [first, second].map(splitImports);
  return [...parts.map((part) => part.imports), ...parts.map((part) => part.body)].join("\n");
}

/** Import statements (which may span lines) and the rest. */
function splitImports(code: string): { imports: string; body: string } {
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of code.split("\n")) {
    if (line.startsWith("import ")) inImport = true;
    (inImport ? imports : body).push(line);
    if (inImport && line.trimEnd().endsWith(";")) inImport = false;
  }
  return { imports: imports.join("\n"), body: body.join("\n") };
}
