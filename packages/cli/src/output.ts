import { createRequire } from "node:module";
import Table from "cli-table3";

export type OutputFormat = "json" | "table" | "tsv";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["json", "table", "tsv"];

/** JSON when piped (for jq), a table on a terminal, unless --output says otherwise. */
export function resolveOutput(requested: string | undefined): OutputFormat {
  if (requested === undefined) return process.stdout.isTTY ? "table" : "json";
  if ((OUTPUT_FORMATS as readonly string[]).includes(requested)) return requested as OutputFormat;
  throw new Error(`--output must be json, table or tsv (got '${requested}')`);
}

/** One column of a table or a tsv line: a header and how to read the cell from an item. */
export interface Column<T> {
  header: string;
  value: (item: T) => unknown;
}

/**
 * How a command shows its results: the JSON a script reads (stable camelCase fields, dates as
 * ISO 8601, bytes as base64url), and the columns a person reads in a table or a tsv line.
 */
export interface View<T> {
  json: (item: T) => unknown;
  columns: Array<Column<T>>;
}

/** A list: a JSON array, a table with a header row, or one tsv line per item. */
export function printList<T>(items: T[], view: View<T>, format: OutputFormat): void {
  if (format === "json") return writeJson(items.map(view.json));
  if (format === "tsv") {
    for (const item of items) writeTsvLine(view.columns.map((column) => column.value(item)));
    return;
  }
  if (items.length === 0) {
    process.stdout.write("(none)\n");
    return;
  }
  const table = new Table({
    head: view.columns.map((column) => column.header),
    style: tableStyle(),
  });
  for (const item of items) table.push(view.columns.map((column) => tableCell(column.value(item))));
  process.stdout.write(`${table.toString()}\n`);
}

/** One item: a JSON object, a two-column table (field, value), or one tsv line. */
export function printItem<T>(item: T, view: View<T>, format: OutputFormat): void {
  if (format === "json") return writeJson(view.json(item));
  if (format === "tsv") return writeTsvLine(view.columns.map((column) => column.value(item)));
  const table = new Table({ style: tableStyle() });
  for (const column of view.columns) {
    const cell = tableCell(column.value(item));
    // A person reading one item needs no empty rows (tsv keeps every field, for positions).
    if (cell !== "") table.push({ [column.header]: cell });
  }
  process.stdout.write(`${table.toString()}\n`);
}

/** JSON.stringify with bytes as base64url (as the Key Vault API writes them). */
export function toJsonText(value: unknown): string {
  // A Buffer's toJSON runs before a replacer sees the value: look at the holder's field instead.
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, field: unknown) {
      const original = this[key];
      return original instanceof Uint8Array ? Buffer.from(original).toString("base64url") : field;
    },
    2,
  );
}

function writeJson(value: unknown): void {
  process.stdout.write(`${toJsonText(value)}\n`);
}

/** Tabs and line breaks inside a value would break the line into false fields. */
function writeTsvLine(values: unknown[]): void {
  process.stdout.write(
    `${values.map((value) => cellText(value, ",").replace(/[\t\r\n]+/g, " ")).join("\t")}\n`,
  );
}

/** Lists one per line in a table cell, so long action lists stay narrow. */
function tableCell(value: unknown): string {
  return cellText(value, "\n");
}

function cellText(value: unknown, listSeparator: string): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (Array.isArray(value)) return value.map((entry) => cellText(entry, listSeparator)).join(listSeparator);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64url");
  if (typeof value === "object") return toJsonText(value).replace(/\s*\n\s*/g, " ");
  return String(value);
}

/**
 * Colour only for a person at a terminal (cli-table3 defaults to a red header); compact: a rule
 * under the header only, not between rows.
 */
function tableStyle() {
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  setTableColours(colour);
  const colours = colour ? { head: ["cyan"], border: ["grey"] } : { head: [], border: [] };
  return { ...colours, compact: true };
}

/**
 * cli-table3 colours through its own copy of @colors/colors, which makes its own guess at
 * start (it turns colour off wherever a CI variable is set, even at a real terminal). We have
 * already decided, so we tell that very copy; without the optional package, tables stay plain.
 */
function setTableColours(enabled: boolean): void {
  try {
    const tableRequire = createRequire(createRequire(import.meta.url).resolve("cli-table3"));
    const colours = tableRequire("@colors/colors/safe") as { enable(): void; disable(): void };
    if (enabled) colours.enable();
    else colours.disable();
  } catch {
    // @colors/colors is optional for cli-table3: no colours then.
  }
}
