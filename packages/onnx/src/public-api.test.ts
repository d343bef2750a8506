import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The core's public entry points and the protobuf schema only: layer-conv is recognised, never imported.
const ALLOWED = ["@chainrule/ndarray", "@chainrule/autograd", "@chainrule/nn", "onnx-proto"];
const root = fileURLToPath(new URL("..", import.meta.url));

const sources = () =>
  readdirSync(join(root, "src")).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "test-helpers.ts",
  );

// Static imports and re-exports (the error messages quote `import("@chainrule/layer-conv")` as advice to users).
const specifiers = (code: string) =>
  [...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)].map((m) => m[1]!);

describe("public API only", () => {
  it("imports nothing but relative files, the core's entry points and onnx-proto", () => {
    const bad = sources().flatMap((f) =>
      specifiers(readFileSync(join(root, "src", f), "utf8"))
        .filter((s) => !s.startsWith("./") && !ALLOWED.includes(s))
        .map((s) => `${f}: ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it("takes the core as peers and layer-conv as an optional peer", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).toEqual(["onnx-proto"]);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([
      "@chainrule/autograd",
      "@chainrule/layer-conv",
      "@chainrule/ndarray",
      "@chainrule/nn",
    ]);
    expect(pkg.peerDependenciesMeta["@chainrule/layer-conv"].optional).toBe(true);
  });
});
