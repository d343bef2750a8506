import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { computeFans, initialize, initializers, type InitializerName } from "./index";

function stats(x: np.NDArray) {
  const d = x.dataSync();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    s += d[i]!;
    min = Math.min(min, d[i]!);
    max = Math.max(max, d[i]!);
  }
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / d.length), min, max, n: d.length };
}

const shape = [1000, 400]; // fan_in 1000, fan_out 400, 400,000 samples
const rng = () => new np.Random(2024);

describe("initialisers", () => {
  it("heNormal is N(0, 2/fan_in), untruncated", () => {
    const w = initialize("heNormal", shape, { rng: rng() });
    const s = stats(w);
    const std = Math.sqrt(2 / 1000);
    // Standard errors: mean std/√n ≈ 5e-5, std about std/√(2n) (0.11%).
    expect(Math.abs(s.mean)).toBeLessThan((5 * std) / Math.sqrt(s.n));
    expect(Math.abs(s.std / std - 1)).toBeLessThan(0.01);
    // Plain normal: about 4.55% of samples lie beyond 2σ (a truncated normal would have none).
    const beyond = Array.from(w.dataSync()).filter((v) => Math.abs(v) > 2 * std).length / s.n;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(0.003);
  });

  it("heUniform is U(±√(6/fan_in))", () => {
    const s = stats(initialize("heUniform", shape, { rng: rng() }));
    const limit = Math.sqrt(6 / 1000);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(limit * 0.999);
    expect(s.min).toBeLessThan(-limit * 0.999);
    expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
  });

  it("glorotUniform is U(±√(6/(fan_in + fan_out))), variance 2/(fan_in + fan_out)", () => {
    const s = stats(initialize("glorotUniform", shape, { rng: rng() }));
    const limit = Math.sqrt(6 / 1400);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(limit * 0.999);
    expect(Math.abs(s.std / Math.sqrt(2 / 1400) - 1)).toBeLessThan(0.01);
  });

  it("glorotNormal, lecunNormal and lecunUniform have their standard deviations", () => {
    const g = stats(initialize("glorotNormal", shape, { rng: rng() }));
    expect(Math.abs(g.std / Math.sqrt(2 / 1400) - 1)).toBeLessThan(0.01);
    const l = stats(initialize("lecunNormal", shape, { rng: rng() }));
    expect(Math.abs(l.std / Math.sqrt(1 / 1000) - 1)).toBeLessThan(0.01);
    const u = stats(initialize("lecunUniform", shape, { rng: rng() }));
    expect(u.max).toBeLessThanOrEqual(Math.sqrt(3 / 1000));
    expect(Math.abs(u.std / Math.sqrt(1 / 1000) - 1)).toBeLessThan(0.01);
  });

  it("truncatedNormal stays within 2 standard deviations of the mean", () => {
    const w = initializers.truncatedNormal({ mean: 1, stddev: 0.5 })(shape, {
      fanIn: 1,
      fanOut: 1,
      dtype: "float64",
      rng: rng(),
    });
    const s = stats(w);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(s.min).toBeLessThan(0.01);
    expect(s.max).toBeGreaterThan(1.99);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.002);
    // The standard deviation of N(0, 1) truncated to [−2, 2] is 0.8796 (Keras's correction constant).
    expect(Math.abs(s.std / (0.5 * 0.87962566103423978) - 1)).toBeLessThan(0.01);
  });

  it("randomNormal and randomUniform take Keras's defaults and options", () => {
    const n = stats(initialize("randomNormal", shape, { rng: rng() }));
    expect(Math.abs(n.std / 0.05 - 1)).toBeLessThan(0.01);
    const u = stats(
      initializers.randomUniform({ minval: 2, maxval: 3 })(shape, {
        fanIn: 1,
        fanOut: 1,
        dtype: "float32",
        rng: rng(),
      }),
    );
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThanOrEqual(3);
    expect(Math.abs(u.mean - 2.5)).toBeLessThan(0.005);
    const d = stats(initialize("randomUniform", [100, 100], { rng: rng() }));
    expect(d.max).toBeLessThanOrEqual(0.05);
    expect(d.min).toBeGreaterThanOrEqual(-0.05);
  });

  it("zeros, ones and constant", () => {
    expect(initialize("zeros", [2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(initialize("ones", [3], { dtype: "float64" }).toArray()).toEqual([1, 1, 1]);
    expect(initialize(initializers.constant(-2.5), [2]).toArray()).toEqual([-2.5, -2.5]);
  });

  it("are seeded: the same seed (or generator state) gives the same values, in either float dtype", () => {
    const names: InitializerName[] = [
      "randomNormal",
      "randomUniform",
      "truncatedNormal",
      "heNormal",
      "heUniform",
      "glorotNormal",
      "glorotUniform",
      "lecunNormal",
      "lecunUniform",
    ];
    for (const name of names) {
      const a = initialize(name, [20, 10], { seed: 9 });
      const b = initialize(name, [20, 10], { rng: new np.Random(9) });
      expect(Array.from(b.dataSync()), name).toEqual(Array.from(a.dataSync()));
      expect(initialize(name, [20, 10], { seed: 10 }).toArray(), name).not.toEqual(a.toArray());
      const c = initialize(name, [20, 10], { seed: 9, dtype: "float64" });
      expect(c.dtype).toBe("float64");
      // The same draws, rounded to float32 or not.
      expect(Array.from(c.dataSync()).map(Math.fround)).toEqual(Array.from(a.dataSync()));
    }
    expect(() => initialize("heNormal", [2, 2], { dtype: "int32" })).toThrow(/float32 or float64/);
  });

  it("compute fans in Keras layout", () => {
    expect(computeFans([784, 256])).toEqual({ fanIn: 784, fanOut: 256 });
    expect(computeFans([10])).toEqual({ fanIn: 10, fanOut: 10 });
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(initialize("heNormal", [2, 2], { fanIn: 8 }).shape).toEqual([2, 2]);
    expect(() => initialize(() => np.zeros([1]), [2, 2])).toThrow(/expected an array of shape \[2, 2\]/);
  });
});
