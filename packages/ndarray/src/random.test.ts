import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { backendName } from "./testing/backend";
import { expectError, values } from "./testing/helpers";
import { draws } from "./testing/random-draws";
import * as np from "./index";

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

describe(`Random [${backendName}]`, () => {
  it("is seedrandom's Alea: the same seed gives the same stream", () => {
    const ref = seedrandom.alea("42");
    const r = new np.Random(42);
    for (let i = 0; i < 5; i++) expect(r.random()).toBe(ref());
    const u = new np.Random(42).uniform([4], 10, 20, "float64");
    const ref2 = seedrandom.alea("42");
    expect(values(u)).toEqual([0, 1, 2, 3].map(() => 10 + 10 * ref2()));
  });

  it("repeats exactly for the same seed and differs for another", () => {
    expect(draws(np.Random)).toEqual(draws(np.Random));
    expect(values(new np.Random(1).normal([10]))).not.toEqual(values(new np.Random(2).normal([10])));
  });

  it("gives the same numbers in another process", () => {
    const pkg = fileURLToPath(new URL("..", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
    expect(existsSync(tsx), "tsx is a devDependency of @chainrule/ndarray").toBe(true);
    const script = [
      `import { Random } from "./src/index.ts";`,
      `import { draws } from "./src/testing/random-draws.ts";`,
      `process.stdout.write(JSON.stringify(draws(Random)));`,
    ].join("\n");
    const out = execFileSync(tsx, ["--eval", script], { cwd: pkg, encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(out)).toEqual(draws(np.Random));
  });

  it("uniform stays in [low, high) and has the right mean", () => {
    const u = values(new np.Random(3).uniform([100_000], -1, 3, "float64"));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(mean(u) - 1)).toBeLessThan(0.02); // σ of the mean: 4/√12/√1e5 ≈ 0.0037
    const u32 = new np.Random(3).uniform([100_000]);
    expect(u32.dtype).toBe("float32");
    expect(Math.max(...values(u32))).toBeLessThan(1);
  });

  it("float32 uniform never rounds up to `high`", () => {
    // 1 − 2⁻³⁰ is below 1 in float64 but rounds to 1 in float32: such draws must be redrawn.
    const r = new np.Random(0);
    const fake = [1 - 2 ** -30, 0.25];
    (r as unknown as { next: () => number }).next = () => fake.shift() ?? 0.5;
    expect(values(r.uniform([1]))).toEqual([0.25]);
  });

  it("normal has mean, std and the 68% rule within bounds (1e5 samples)", () => {
    const n = values(new np.Random(5).normal([100_000], 0, 1, "float64"));
    expect(Math.abs(mean(n))).toBeLessThan(0.015); // 4.7σ
    expect(Math.abs(std(n) - 1)).toBeLessThan(0.01);
    const within = n.filter((v) => Math.abs(v) < 1).length / n.length;
    expect(Math.abs(within - 0.6826894921)).toBeLessThan(0.007);
    const s = values(new np.Random(6).normal([100_000], 3, 0.5));
    expect(Math.abs(mean(s) - 3)).toBeLessThan(0.01);
    expect(Math.abs(std(s) - 0.5)).toBeLessThan(0.01);
  });

  it("randint covers [low, high) evenly and nothing else", () => {
    const r = values(new np.Random(7).randint(-3, 4, [70_000]));
    const counts = new Map<number, number>();
    for (const v of r) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    // χ² with 6 degrees of freedom: 99.9% quantile is 22.5.
    const chi2 = [...counts.values()].reduce((a, c) => a + (c - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(22.5);
    expect(new np.Random(7).randint(0, 2, [3]).dtype).toBe("int32");
    expect(new np.Random(7).randint(0, 5).shape).toEqual([]);
  });

  it("permutation is a permutation; shuffle permutes in place", () => {
    const p = Array.from(new np.Random(8).permutation(1000));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const items = [1, 2, 3, 4, 5, 6];
    const same = new np.Random(9).shuffle(items);
    expect(same).toBe(items);
    expect([...items].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(new np.Random(8).permutation(0))).toEqual([]);
    // Every one of the 6 orders of 3 items turns up, roughly equally often.
    const r = new np.Random(10);
    const seen = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const k = Array.from(r.permutation(3)).join("");
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const c of seen.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it("bernoulli gives 0/1 at rate p", () => {
    const b = values(new np.Random(11).bernoulli(0.3, [100_000]));
    expect(b.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(mean(b) - 0.3)).toBeLessThan(0.006); // 4σ
    expect(values(new np.Random(11).bernoulli(0, [100])).every((v) => v === 0)).toBe(true);
    expect(values(new np.Random(11).bernoulli(1, [100])).every((v) => v === 1)).toBe(true);
    expect(new np.Random(11).bernoulli(0.5, [2], "bool").dtype).toBe("bool");
  });

  it("fork gives an independent stream, reproducibly", () => {
    const a = new np.Random(12);
    const f = a.fork();
    const x = values(f.uniform([5], 0, 1, "float64"));
    const y = values(a.uniform([5], 0, 1, "float64"));
    expect(x).not.toEqual(y);
    expect(values(new np.Random(12).fork().uniform([5], 0, 1, "float64"))).toEqual(x);
  });

  it("rejects bad arguments, naming the method and values", () => {
    const r = new np.Random(0);
    expectError(() => r.uniform([2], 1, 1), RangeError, "uniform", "1");
    expectError(() => r.uniform([2], 0, 1, "int32"), TypeError, "uniform", "int32");
    expectError(() => r.normal([2], 0, -1), RangeError, "normal", "-1");
    expectError(() => r.normal([2], 0, 1, "uint8"), TypeError, "normal", "uint8");
    expectError(() => r.randint(5, 5), RangeError, "randint", "5");
    expectError(() => r.randint(0, 1.5), RangeError, "randint", "1.5");
    expectError(() => r.randint(0, 2 ** 32), RangeError, "randint", String(2 ** 32));
    expectError(() => r.bernoulli(1.5, [2]), RangeError, "bernoulli", "1.5");
    expectError(() => r.permutation(-1), np.ShapeError, "permutation", "-1");
    expectError(() => r.uniform([-1]), np.ShapeError, "uniform", "[-1]");
  });
});
