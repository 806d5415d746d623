import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, it } from "node:test";

/**
 * The server's one layout rule (docs/architecture.md), checked on the source itself so a new
 * file cannot break it unnoticed: main/ wires, platform/ serves every resource and imports none,
 * resources/ hold one folder each with an index, and value imports form no cycle.
 */
const SRC = import.meta.dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith(".ts") ? [path] : [];
  });
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Relative imports and re-exports of every file, resolved to src-relative .ts paths. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found: Import[] = [];
  const pattern =
    /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\("(\.{1,2}\/[^"]+)"\)/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = (match[3] ?? match[4]) as string;
    const target = normalize(join(dirname(file), specifier)).replace(/\.js$/, ".ts");
    found.push({
      from: relative(SRC, file),
      to: relative(SRC, target),
      typeOnly: match[2] !== undefined,
    });
  }
  return found;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);
const layerOf = (path: string) => path.split("/")[0] as string;

describe("server layout", () => {
  it("has only main/, platform/ and resources/ (and the package's index.ts)", () => {
    const topLevel = new Set(files.map((file) => relative(SRC, file).split("/")[0]));
    assert.deepEqual([...topLevel].sort(), ["index.ts", "layout.test.ts", "main", "platform", "resources"]);
  });

  it("platform/ imports no resource and not main/; resources/ do not import main/", () => {
    const upward = imports.filter(
      ({ from, to }) =>
        (layerOf(from) === "platform" && (layerOf(to) === "resources" || layerOf(to) === "main")) ||
        (layerOf(from) === "resources" && layerOf(to) === "main"),
    );
    assert.deepEqual(
      upward.map(({ from, to }) => `${from} -> ${to}`),
      [],
    );
  });

  it("gives every resource one folder with an index.ts", () => {
    const resources = readdirSync(join(SRC, "resources"));
    assert.ok(resources.length >= 6);
    for (const resource of resources) {
      assert.ok(
        statSync(join(SRC, "resources", resource, "index.ts")).isFile(),
        `resources/${resource}/index.ts`,
      );
    }
  });

  it("has no import cycle (type-only imports aside: they are erased)", () => {
    const graph = new Map<string, string[]>();
    for (const { from, to, typeOnly } of imports) {
      if (typeOnly) continue;
      graph.set(from, [...(graph.get(from) ?? []), to]);
    }
    // Tarjan's strongly connected components: any component of two or more files is a cycle.
    let index = 0;
    const indexOf = new Map<string, number>();
    const lowOf = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string) => {
      indexOf.set(node, index);
      lowOf.set(node, index++);
      stack.push(node);
      onStack.add(node);
      for (const next of graph.get(node) ?? []) {
        if (!indexOf.has(next)) {
          visit(next);
          lowOf.set(node, Math.min(lowOf.get(node)!, lowOf.get(next)!));
        } else if (onStack.has(next)) {
          lowOf.set(node, Math.min(lowOf.get(node)!, indexOf.get(next)!));
        }
      }
      if (lowOf.get(node) === indexOf.get(node)) {
        const component: string[] = [];
        for (let member = stack.pop(); ; member = stack.pop()) {
          onStack.delete(member!);
          component.push(member!);
          if (member === node) break;
        }
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of files.map((f) => relative(SRC, f))) if (!indexOf.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });
});
