import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "@chainrule/app-kit";
import * as np from "@chainrule/ndarray";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { descend, MINIMA, run } from "./himmelblau";

const out = mkdtempSync(join(tmpdir(), "himmelblau-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("apps/himmelblau end to end", () => {
  it("reaches all four minima within 1e-3 and writes metrics and plots", async () => {
    const lines: string[] = [];
    const m = await run({
      steps: 200,
      lr: 0.01,
      out,
      seed: 0,
      jitter: 0,
      printEvery: 20,
      log: (l) => lines.push(l),
    });
    expect(m.allWithin1e3).toBe(true);
    expect(m.minimaReached).toBe(4);
    // each trajectory ends at a different known minimum, and f is ~0 there
    const ends = m.trajectories.map((t) =>
      MINIMA.findIndex((p) => Math.hypot(p[0] - t.end[0], p[1] - t.end[1]) < 1e-3),
    );
    expect(new Set(ends).size).toBe(4);
    for (const t of m.trajectories) expect(t.f).toBeLessThan(1e-6);
    // printed every 20 iterations, per trajectory
    expect(lines.filter((l) => l.startsWith("step")).length).toBe(4 * 10);

    const saved = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(saved.seed).toBe(0);
    expect(saved.wallTimeSeconds).toBeGreaterThan(0);
    const svg = readFileSync(join(out, "himmelblau.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Himmelblau");
    const meta = await sharp(join(out, "himmelblau.png")).metadata();
    expect(meta.format).toBe("png");
    expect(meta.width).toBeGreaterThan(400);
  });

  it("descends on webgpu (float32, read every 20 steps) as in float32 on the js backend", async () => {
    // SwiftShader (Debian's chromium) when the machine has no GPU; a machine's own setting wins.
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
    const opts = { steps: 60, lr: 0.01, printEvery: 20, dtype: "float32" as const };
    const go = async (backend: "js" | "webgpu") => {
      const previous = np.getBackend();
      await selectBackend(backend);
      try {
        const lines: string[] = [];
        return { t: await descend([-2, 2], { ...opts, log: (l) => lines.push(l) }), lines };
      } finally {
        np.setBackend(previous);
      }
    };
    const js = await go("js");
    const gpu = await go("webgpu");
    expect(gpu.t.xs.length).toBe(61);
    expect(gpu.lines.length).toBe(3);
    for (const k of ["xs", "ys", "fs"] as const)
      gpu.t[k].forEach((v, i) =>
        expect(Math.abs(v - js.t[k][i]!)).toBeLessThan(1e-4 * Math.max(1, js.t[k][i]!)),
      );
    // Float32 steps agree with the float64 ones (the default) to float32 rounding, and they moved.
    const f64 = await descend([-2, 2], { ...opts, dtype: "float64", log: () => {} });
    expect(Math.abs(gpu.t.end[0] - f64.end[0])).toBeLessThan(1e-4);
    expect(Math.abs(gpu.t.end[0] - -2)).toBeGreaterThan(0.5);
  });
});
