import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "@chainrule/app-kit";
import * as np from "@chainrule/ndarray";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, LAYER_DIMS, LLayerNetwork, run } from "./cat-mlp";

const out = mkdtempSync(join(tmpdir(), "cat-mlp-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("apps/cat-mlp", () => {
  it("builds 12288-20-7-5-1 with He-normal kernels and zero biases", () => {
    const model = new LLayerNetwork(LAYER_DIMS, 0);
    const params = model.namedParameters();
    expect(params.map(([name, p]) => `${name} ${p.shape.join("x")}`)).toEqual([
      "layers.0.kernel 12288x20",
      "layers.0.bias 20",
      "layers.1.kernel 20x7",
      "layers.1.bias 7",
      "layers.2.kernel 7x5",
      "layers.2.bias 5",
      "layers.3.kernel 5x1",
      "layers.3.bias 1",
    ]);
    const w = params[0]![1];
    const std = Math.sqrt(np.mean(np.square(w)).item());
    expect(std).toBeCloseTo(Math.sqrt(2 / 12288), 4);
    for (const [name, p] of params) if (name.endsWith("bias")) expect(np.max(np.abs(p)).item()).toBe(0);
    // call() is the sigmoid of the logits: probabilities in (0, 1)
    const x = np.ones([2, 12288]).mul(0.5);
    const p = model.call(x).dataSync();
    const z = model.logits(x).dataSync();
    for (let i = 0; i < 2; i++) expect(p[i]!).toBeCloseTo(1 / (1 + Math.exp(-z[i]!)), 6);
    // the same seed gives the same weights
    expect(
      Array.from(new LLayerNetwork(LAYER_DIMS, 0).namedParameters()[0]![1].dataSync().subarray(0, 5)),
    ).toEqual(Array.from(w.dataSync().subarray(0, 5)));
  });

  it("runs a shortened training end to end and writes metrics and plots", async () => {
    const lines: string[] = [];
    const { metrics } = await run({
      iterations: 40,
      lr: 0.0075,
      seed: 0,
      out,
      dataDir: DEFAULT_DATA_DIR,
      printEvery: 20,
      progress: "none",
      log: (l) => lines.push(l),
    });
    // the cost is printed at iterations 0, 20 and 40, and goes down
    const costLines = lines.filter((l) => l.startsWith("Cost after iteration"));
    expect(costLines.map((l) => l.split(":")[0])).toEqual([
      "Cost after iteration 0",
      "Cost after iteration 20",
      "Cost after iteration 40",
    ]);
    expect(metrics.costs.map((c) => c.iteration)).toEqual([0, 20, 40]);
    // The same float64 recipe written in NumPy (the notebook's forward/backward code, started from this
    // model's initial weights) gives these costs: the gradient descent here is the textbook's.
    const numpy = [0.7108075217092175, 0.6892248531248716, 0.6841268583150572];
    metrics.costs.forEach((c, i) => expect(c.cost).toBeCloseTo(numpy[i]!, 9));

    const saved = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(saved.app).toBe("cat-mlp");
    expect(saved.seed).toBe(0);
    expect(saved.iterations).toBe(40);
    expect(saved.wallTimeSeconds).toBeGreaterThan(0);
    expect(saved.trainAccuracy).toBeGreaterThanOrEqual(0);
    expect(saved.trainAccuracy).toBeLessThanOrEqual(1);
    expect(saved.mislabeled.length).toBe(Math.round((1 - saved.testAccuracy) * 50));
    expect(saved.mislabeled.length).toBeGreaterThan(0);

    for (const name of ["cost", "mislabeled"]) {
      const svg = readFileSync(join(out, `${name}.svg`), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      const meta = await sharp(join(out, `${name}.png`)).metadata();
      expect(meta.format).toBe("png");
      expect(meta.width).toBeGreaterThan(400);
    }
    expect(readFileSync(join(out, "cost.svg"), "utf8")).toContain("iteration");
    expect(readFileSync(join(out, "mislabeled.svg"), "utf8")).toContain("pred: ");
  });

  it("trains on webgpu (float32, costs read once per block) as in float32 on the js backend", async () => {
    // SwiftShader (Debian's chromium) when the machine has no GPU; a machine's own setting wins.
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
    const common = { iterations: 4, lr: 0.05, seed: 0, dataDir: DEFAULT_DATA_DIR, printEvery: 2 };
    const go = async (backend: "js" | "webgpu") => {
      const previous = np.getBackend();
      await selectBackend(backend);
      try {
        const dir = join(out, backend);
        return (
          await run({ ...common, dtype: "float32", out: dir, progress: "none", log: () => {}, backend })
        ).metrics;
      } finally {
        np.setBackend(previous);
      }
    };
    const js = await go("js");
    const gpu = await go("webgpu");
    expect(gpu.dtype).toBe("float32");
    expect(gpu.costs.map((c) => c.iteration)).toEqual([0, 2, 4]);
    gpu.costs.forEach((c, i) => expect(Math.abs(c.cost - js.costs[i]!.cost)).toBeLessThan(1e-5));
    // The NumPy float64 recipe's first cost (the test above) holds in float32 too.
    expect(gpu.costs[0]!.cost).toBeCloseTo(0.7108075217092175, 5);
    // The test can fail: four steps at lr 0.05 moved the cost far beyond the tolerance.
    expect(js.costs[0]!.cost - js.costs[2]!.cost).toBeGreaterThan(1e-3);
    expect(gpu.trainAccuracy).toBeCloseTo(js.trainAccuracy, 2);
  });
});
