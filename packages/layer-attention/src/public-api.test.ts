import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A layer package depends on the public entry points of the core only: no deep imports, no other packages.
const ALLOWED = ["@chainrule/ndarray", "@chainrule/autograd", "@chainrule/nn"];
const root = fileURLToPath(new URL("..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

function specifiers(code: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;
  return [...code.matchAll(re)].map((m) => m[1]!);
}

describe("public API only", () => {
  it("imports nothing but relative files and the core's public entry points", () => {
    const bad: string[] = [];
    for (const file of sources(join(root, "src"))) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (!spec.startsWith("./") && !spec.startsWith("../") && !ALLOWED.includes(spec))
          bad.push(`${file}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("takes the core as peerDependencies and has no dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([...ALLOWED].sort());
  });
});
