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

describe("Fashion-MNIST's file table in the core entry", () => {
  it("gives each file the size its IDX header implies, and the ten class names", async () => {
    const { FASHION_MNIST_FILES, FASHION_MNIST_CLASS_NAMES } = await import("./core");
    // IDX: a 4-byte magic, 4 bytes per dimension, then one byte per element.
    const idxBytes = (dims: number[]) => 4 + 4 * dims.length + dims.reduce((a, b) => a * b, 1);
    expect(FASHION_MNIST_FILES.trainImages.bytes).toBe(idxBytes([60_000, 28, 28]));
    expect(FASHION_MNIST_FILES.trainLabels.bytes).toBe(idxBytes([60_000]));
    expect(FASHION_MNIST_FILES.testImages.bytes).toBe(idxBytes([10_000, 28, 28]));
    expect(FASHION_MNIST_FILES.testLabels.bytes).toBe(idxBytes([10_000]));
    for (const f of Object.values(FASHION_MNIST_FILES)) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(FASHION_MNIST_CLASS_NAMES).toHaveLength(10);
    expect(FASHION_MNIST_CLASS_NAMES[9]).toBe("Ankle boot");
  });
});
