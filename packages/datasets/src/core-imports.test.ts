import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every module reachable from `entry` through relative imports, with its non-relative imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(join(SRC, file), "utf8");
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith(".")),
    );
    for (const s of specifiers.filter((s) => s.startsWith("."))) visit(`${join(dirname(file), s)}.ts`);
  };
  visit(entry);
  return seen;
}

describe("the core entry", () => {
  it("imports nothing Node-only, so it works in browsers", () => {
    const graph = importGraph("core.ts");
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, imports] of graph) {
      expect({ file, imports: imports.filter((s) => s !== "@chainrule/ndarray") }).toEqual({
        file,
        imports: [],
      });
    }
  });
});
