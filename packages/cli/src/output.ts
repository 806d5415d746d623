export type OutputFormat = "json" | "table" | "tsv";

/** JSON when piped (for jq), a table on a terminal, unless --output says otherwise. */
export function resolveOutput(requested: string | undefined): OutputFormat {
  if (requested === undefined) return process.stdout.isTTY ? "table" : "json";
  if (requested === "json" || requested === "table" || requested === "tsv") return requested;
  throw new Error(`--output must be json, table or tsv (got '${requested}')`);
}

export function printRows(rows: Array<Record<string, unknown>>, format: OutputFormat, single = false): void {
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(single ? rows[0] : rows, null, 2)}\n`);
  } else if (format === "tsv") {
    for (const row of rows) process.stdout.write(`${Object.values(row).map(String).join("\t")}\n`);
  } else {
    console.table(rows);
  }
}
