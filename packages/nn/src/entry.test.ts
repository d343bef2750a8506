import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = dirname(fileURLToPath(import.meta.url));

/** Every module specifier imported (statically or dynamically) by the files reachable from `entry`. */
function importGraph(entry: string): { files: string[]; external: Set<string> } {
  const files: string[] = [];
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const text = readFileSync(file, "utf8");
    const re =
      /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;
    for (const m of text.matchAll(re)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.endsWith(".ts") ? spec : `${spec}.ts`));
      else external.add(spec);
    }
  };
  visit(join(src, entry));
  return { files, external };
}

describe("entry points", () => {
  it("the main entry imports no Node modules (it bundles for browsers)", () => {
    const { files, external } = importGraph("index.ts");
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith("node.ts"))).toBe(false);
    expect([...external].sort()).toEqual(["@chainrule/autograd", "@chainrule/ndarray"]);
    for (const f of files)
      expect(readFileSync(f, "utf8"), f).not.toMatch(
        /\bprocess\.(env|pid|argv|platform|versions)|\bBuffer\.|["']node:/,
      );
  });

  it("the node entry is the only one using node: modules", () => {
    const { external } = importGraph("node.ts");
    expect([...external].filter((s) => s.startsWith("node:")).sort()).toEqual(["node:fs/promises"]);
    expect(external.has("@chainrule/ndarray/node")).toBe(true); // atomic writes live there
  });
});
