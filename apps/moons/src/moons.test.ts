import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "@chainrule/app-kit";
import * as np from "@chainrule/ndarray";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./moons";

const out = mkdtempSync(join(tmpdir(), "moons-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("apps/moons end to end (shortened)", () => {
  it("trains the same through the traced graph as op by op", async () => {
    const base = {
      epochs: 2,
      lr: 0.01,
      seed: 3,
      nSamples: 200,
      noise: 0.2,
      printEvery: 10,
      progress: "none" as const,
    };
    const traced = await run({ ...base, out: join(out, "traced"), log: () => {} });
    const eager = await run({ ...base, out: join(out, "eager"), log: () => {}, eager: true });
    expect(traced.history.train_mse).toEqual(eager.history.train_mse);
    expect(traced.metrics.testAccuracy).toBe(eager.metrics.testAccuracy);
    expect(traced.metrics.execution).toBe("traced graph");
  });

  it.each([
    ["traced", false],
    ["eager", true],
  ])("trains on webgpu (%s) as on the js backend, reading once per epoch", async (_, eager) => {
    // SwiftShader (Debian's chromium) when the machine has no GPU; a machine's own setting wins.
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
    const base = { epochs: 2, lr: 0.5, seed: 1, nSamples: 40, noise: 0.2, printEvery: 1, eager };
    const go = async (backend: "js" | "webgpu") => {
      const previous = np.getBackend();
      await selectBackend(backend);
      try {
        const dir = join(out, `${backend}-${eager}`);
        return (await run({ ...base, out: dir, progress: "none", log: () => {} })).history;
      } finally {
        np.setBackend(previous);
      }
    };
    const js = await go("js");
    const gpu = await go("webgpu");
    for (const key of ["train_mse", "test_mse"] as const)
      gpu[key]!.forEach((v, e) => expect(Math.abs(v - js[key]![e]!)).toBeLessThan(1e-5));
    expect(gpu.test_acc).toEqual(js.test_acc);
    // The test can fail: two epochs of 28 steps moved the MSE by far more than the tolerance.
    expect(Math.abs(js.train_mse![1]! - js.train_mse![0]!)).toBeGreaterThan(1e-3);
  });

  it("trains, prints every 10 epochs, and writes metrics and four plots", async () => {
    const lines: string[] = [];
    const { metrics, history } = await run({
      epochs: 10,
      lr: 0.01,
      seed: 0,
      out,
      nSamples: 300,
      noise: 0.2,
      printEvery: 5,
      progress: "none",
      log: (l) => lines.push(l),
    });
    expect(history.epoch.length).toBe(10);
    expect(lines.filter((l) => l.startsWith("epoch")).length).toBe(2);
    // The MSE goes down with training (an untrained sigmoid net sits near 0.25).
    expect(history.train_mse![9]!).toBeLessThan(history.train_mse![0]!);
    // 300 samples split 70/30: the accuracy is a count out of the 90 test points.
    expect(Number.isInteger(Math.round(metrics.testAccuracy * 90 * 1e6) / 1e6)).toBe(true);
    const saved = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(saved.seed).toBe(0);
    expect(saved.testAccuracy).toBe(metrics.testAccuracy);
    expect(saved.wallTimeSeconds).toBeGreaterThan(0);
    for (const name of ["dataset", "mse", "accuracy", "decision-boundary"]) {
      const svg = readFileSync(join(out, `${name}.svg`), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      const meta = await sharp(join(out, `${name}.png`)).metadata();
      expect(meta.format).toBe("png");
      expect(meta.width).toBeGreaterThan(300);
    }
  });
});
