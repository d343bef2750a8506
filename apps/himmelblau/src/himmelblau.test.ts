import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { MINIMA, run } from "./himmelblau";

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
});
