// Runs every test file with node's built-in runner (Node 20 has no glob for --test).
// Unit tests sit beside the code (packages/*/src/**/*.test.ts); end-to-end tests are under test/.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv.slice(2);

function find(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...find(path));
    else if (entry.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const files = [...find(join(root, "packages")), ...find(join(root, "test"))]
  .map((file) => relative(root, file))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
