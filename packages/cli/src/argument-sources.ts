import { readFile } from "node:fs/promises";
import { CliError } from "./cli-error.js";

/**
 * Where a flag's value comes from: the value itself, `@<file>` (its contents), or `-` (stdin).
 * Secrets (SAS tokens, keys to wrap, plaintext) should come from a file or stdin, so they are
 * not left in the shell's history or in `ps` output. Errors name the flag, never the value.
 */
export async function readArgument(
  flag: string,
  value: string,
  options: { trim?: boolean; secret?: boolean } = {},
): Promise<Buffer> {
  let bytes: Buffer;
  if (value === "-") bytes = await readStdin(flag, options.secret ?? false);
  else if (value.startsWith("@")) bytes = await readArgumentFile(flag, value.slice(1));
  else bytes = Buffer.from(value, "utf8");
  if (!options.trim) return bytes;
  return Buffer.from(bytes.toString("utf8").trim(), "utf8");
}

/** The same, as text with surrounding whitespace (a file's final newline) removed. */
export async function readTextArgument(flag: string, value: string, secret = false): Promise<string> {
  return (await readArgument(flag, value, { trim: true, secret })).toString("utf8");
}

/**
 * A JSON document flag (as az takes them): the JSON itself, `@file`, a bare file path, or `-`.
 */
export async function jsonArgument(flag: string, value: string): Promise<string> {
  if (value.trim().startsWith("{")) return value;
  const source = value === "-" || value.startsWith("@") ? value : `@${value}`;
  return (await readArgument(flag, source)).toString("utf8");
}

async function readArgumentFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new CliError("BadArgument", `${flag}: cannot read the file ${path}`);
  }
}

async function readStdin(flag: string, secret: boolean): Promise<Buffer> {
  if (process.stdin.isTTY)
    return Buffer.from(await promptWithoutEcho(secret ? `${flag} (hidden): ` : `${flag}: `));
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** At a terminal, `-` asks for the value on one line and does not echo what is typed. */
function promptWithoutEcho(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    let typed = "";
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (text: string) => {
      for (const char of text) {
        if (char === "\r" || char === "\n" || char === "\u0004") return done();
        if (char === "\u0003") return done(new CliError("Canceled", "canceled"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}
