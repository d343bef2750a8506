import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFashionMnist } from "@chainrule/datasets/node";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { readSafetensorsFile } from "@chainrule/nn/node";
import * as ort from "onnxruntime-node";
import { normalizeImages } from "@chainrule/datasets";
import * as np from "@chainrule/ndarray";
import { selectBackend } from "@chainrule/app-kit";
import { evalOnly, exportModelOnnx, run, savedModelKind } from "./fashion-mnist";

/** --export-onnx's file opened in onnxruntime (the reference): its accuracy on the first `n` test images. */
async function onnxruntimeAccuracy(file: string, images: np.NDArray, labels: np.NDArray, n: number) {
  const x = normalizeImages(np.slice(images, [[0, n]]));
  const session = await ort.InferenceSession.create(file);
  const feed = { input: new ort.Tensor("float32", x.dataSync() as Float32Array, [n, 28, 28]) };
  const logits = (await session.run(feed)).output!.data as Float32Array;
  const truth = labels.dataSync();
  let right = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    if (row.indexOf(Math.max(...row)) === truth[i]) right++;
  }
  return right / n;
}

const out = mkdtempSync(join(tmpdir(), "fashion-mnist-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("apps/fashion-mnist end to end", () => {
  it.each([
    ["--eager", true],
    ["traced", false],
  ])(
    "trains on webgpu (%s) as on the js backend: same losses and predictions",
    async (_, eager) => {
      // SwiftShader (Debian's chromium) when the machine has no GPU; a machine's own setting wins.
      process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
      const data = await loadFashionMnist();
      const common = {
        epochs: 1,
        lr: 1e-3,
        batchSize: 50,
        seed: 4,
        trainLimit: 100,
        testLimit: 100,
        eager,
      };
      const go = async (backend: "js" | "webgpu") => {
        const previous = np.getBackend();
        await selectBackend(backend);
        try {
          const dir = join(out, `${backend}-${eager ? "eager" : "traced"}`);
          return (await run({ ...common, out: dir, progress: "none", log: () => {}, data, backend })).metrics;
        } finally {
          np.setBackend(previous);
        }
      };
      const js = await go("js");
      const gpu = await go("webgpu");
      expect(gpu.backend).toBe("webgpu");
      // Two Adam steps on real images: the weights stayed on the GPU, the numbers agree to float32 rounding.
      expect(Math.abs(gpu.history[0]!.loss - js.history[0]!.loss)).toBeLessThan(1e-4);
      expect(Math.abs(gpu.testLoss - js.testLoss)).toBeLessThan(1e-4);
      expect(gpu.testAccuracy).toBeCloseTo(js.testAccuracy, 1);
      expect(js.testLoss).toBeLessThan(Math.log(10)); // it learned something: below chance
      // The saved model (read back from the GPU) holds the same weights.
      const [a, b] = await Promise.all(
        ["js", "webgpu"].map((b) =>
          readSafetensorsFile(join(out, `${b}-${eager ? "eager" : "traced"}`, "model.safetensors")),
        ),
      );
      for (const [name, w] of Object.entries(a!.tensors)) {
        const x = w.dataSync();
        const y = b!.tensors[name]!.dataSync();
        for (let i = 0; i < x.length; i++) expect(Math.abs(Number(x[i]) - Number(y[i]))).toBeLessThan(1e-4);
      }
    },
    120_000,
  );

  it("trains the same through the traced graph as op by op (--eager)", async () => {
    const data = await loadFashionMnist();
    const common = { epochs: 1, lr: 1e-3, batchSize: 100, seed: 3, trainLimit: 300, testLimit: 500 };
    const go = (eager: boolean) =>
      run({
        ...common,
        eager,
        out: join(out, eager ? "eager" : "traced"),
        progress: "none",
        log: () => {},
        data,
      });
    const traced = (await go(false)).metrics;
    const eager = (await go(true)).metrics;
    // Three Adam steps on the same batches: the same losses and test predictions, bit for bit.
    expect(traced.history[0]!.loss).toBe(eager.history[0]!.loss);
    expect(traced.testLoss).toBe(eager.testLoss);
    expect(traced.confusion).toEqual(eager.confusion);
  });

  it("trains one epoch on a subset, writes metrics, plots and the model, and reloads it", async () => {
    const data = await loadFashionMnist();
    const lines: string[] = [];
    const { metrics, model } = await run({
      epochs: 1,
      lr: 1e-3,
      batchSize: 100,
      seed: 0,
      out,
      trainLimit: 2000,
      progress: "none",
      log: (l) => lines.push(l),
      data,
    });
    // summary() first, then one line per epoch with the loss, test accuracy, samples/s and time
    expect(lines[0]).toContain("Total params: 244,522");
    const epochLines = lines.filter((l) => l.startsWith("epoch "));
    expect(epochLines).toHaveLength(1);
    expect(epochLines[0]).toMatch(
      /^epoch 1\/1: loss \d\.\d{4} .* test accuracy 0\.\d{4} · \d+ samples\/s · \d+\.\d s$/,
    );
    // 20 Adam steps on 2,000 images already beat chance by far
    expect(metrics.trainSamples).toBe(2000);
    expect(metrics.testSamples).toBe(10000);
    expect(metrics.testAccuracy).toBeGreaterThan(0.5);
    expect(metrics.history[0]!.samplesPerSecond).toBeGreaterThan(0);
    expect(metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10000);
    const diagonal = metrics.confusion.reduce((a, row, i) => a + row[i]!, 0);
    expect(diagonal / 10000).toBeCloseTo(metrics.testAccuracy, 10);

    const saved = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(saved.app).toBe("fashion-mnist");
    expect(saved.seed).toBe(0);
    expect(saved.testAccuracy).toBe(metrics.testAccuracy);
    expect(saved.wallTimeSeconds).toBeGreaterThan(0);
    expect(saved.params).toBe(244522);
    expect(saved.modelKind).toBe("mlp");

    for (const name of ["loss", "accuracy", "confusion", "samples"]) {
      const svg = readFileSync(join(out, `${name}.svg`), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      const meta = await sharp(join(out, `${name}.png`)).metadata();
      expect(meta.format).toBe("png");
      expect(meta.width).toBeGreaterThan(400);
    }
    expect(readFileSync(join(out, "confusion.svg"), "utf8")).toContain("Ankle boot");

    // --eval-only: a fresh model loaded from the safetensors file scores exactly the same
    const file = join(out, "model.safetensors");
    expect(existsSync(file)).toBe(true);
    const evalLines: string[] = [];
    const reloaded = await evalOnly(file, { log: (l) => evalLines.push(l), data });
    expect(reloaded.accuracy).toBe(metrics.testAccuracy);
    expect(reloaded.loss).toBeCloseTo(metrics.testLoss, 6);
    expect(evalLines[0]).toContain(`test accuracy ${metrics.testAccuracy.toFixed(4)}`);
    expect(reloaded.model).toBe("mlp");
    expect((await readSafetensorsFile(file)).metadata.model_kind).toBe("mlp");

    // --export-onnx: onnxruntime scores the file as chainrule scored the model (within a near-tie or two).
    const onnxFile = join(out, "model.onnx");
    await exportModelOnnx(model, onnxFile);
    const ortAccuracy = await onnxruntimeAccuracy(onnxFile, data.test.images, data.test.labels, 10000);
    expect(Math.abs(ortAccuracy - metrics.testAccuracy)).toBeLessThanOrEqual(2e-4);
  });

  it("--model cnn: trains the conv net briefly, records the model kind, and --eval-only rebuilds the CNN", async () => {
    const data = await loadFashionMnist();
    const cnnOut = join(out, "cnn");
    const lines: string[] = [];
    const { metrics, model } = await run({
      model: "cnn",
      epochs: 1,
      lr: 1e-3,
      batchSize: 100,
      seed: 0,
      out: cnnOut,
      trainLimit: 500,
      testLimit: 500,
      progress: "none",
      log: (l) => lines.push(l),
      data,
    });
    expect(lines[0]).toContain("Total params: 421,642");
    expect(lines[0]).toContain("Conv2D");
    expect(lines.filter((l) => l.startsWith("epoch "))).toHaveLength(1);
    // 5 Adam steps on 500 images: above chance (0.1)
    expect(metrics.modelKind).toBe("cnn");
    expect(metrics.trainSamples).toBe(500);
    expect(metrics.testSamples).toBe(500);
    expect(metrics.params).toBe(421642);
    expect(metrics.testAccuracy).toBeGreaterThan(0.2);
    expect(metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);

    const saved = JSON.parse(readFileSync(join(cnnOut, "metrics.json"), "utf8"));
    expect(saved.modelKind).toBe("cnn");
    expect(saved.testAccuracy).toBe(metrics.testAccuracy);
    for (const name of ["loss", "accuracy", "confusion", "samples"]) {
      expect(readFileSync(join(cnnOut, `${name}.svg`), "utf8").startsWith("<svg")).toBe(true);
      expect(existsSync(join(cnnOut, `${name}.png`))).toBe(true);
    }

    const file = join(cnnOut, "model.safetensors");
    const { tensors, metadata } = await readSafetensorsFile(file);
    expect(metadata.model_kind).toBe("cnn");
    expect(tensors["layers.1.kernel"]!.shape).toEqual([3, 3, 1, 32]);
    expect(await savedModelKind(file)).toBe("cnn");
    const evalLines: string[] = [];
    const reloaded = await evalOnly(file, { log: (l) => evalLines.push(l), data, testLimit: 500 });
    expect(reloaded.model).toBe("cnn");
    expect(reloaded.accuracy).toBe(metrics.testAccuracy);
    expect(reloaded.loss).toBeCloseTo(metrics.testLoss, 6);
    expect(evalLines[0]).toContain("(cnn): test accuracy");

    const onnxFile = join(cnnOut, "model.onnx");
    await exportModelOnnx(model, onnxFile);
    const ortAccuracy = await onnxruntimeAccuracy(onnxFile, data.test.images, data.test.labels, 500);
    expect(Math.abs(ortAccuracy - metrics.testAccuracy)).toBeLessThanOrEqual(2 / 500);
  });
});
