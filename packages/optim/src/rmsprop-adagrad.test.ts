import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { Adagrad, RMSProp, type Optimizer } from "./index";

const f64 = (v: number[]) => np.array(v, { dtype: "float64" });

const theta0 = [2, -0.5];
const gs = [
  [1, -0.5],
  [-2, 0.25],
  [0.5, 1],
];
const lr = 0.05;

function run(make: (w: Variable) => Optimizer): number[][] {
  const w = new Variable(f64(theta0), { name: "w" });
  const opt = make(w);
  return gs.map((g) => (opt.step([f64(g)]), [...w.dataSync()]));
}

describe("RMSProp", () => {
  it("v ← ρv + (1 − ρ)g², θ ← θ − lr·g/(√v + ε), ρ 0.9, ε 1e-8", () => {
    const got = run((w) => new RMSProp([w], { lr }));
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const v1 = 0.1 * g1 * g1;
      const t1 = t0 - (lr * g1) / (Math.sqrt(v1) + 1e-8);
      const v2 = 0.9 * v1 + 0.1 * g2 * g2;
      const t2 = t1 - (lr * g2) / (Math.sqrt(v2) + 1e-8);
      const v3 = 0.9 * v2 + 0.1 * g3 * g3;
      const t3 = t2 - (lr * g3) / (Math.sqrt(v3) + 1e-8);
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 13)));
    });
  });

  it("with momentum: b ← μb + g/(√v + ε), θ ← θ − lr·b", () => {
    const got = run((w) => new RMSProp([w], { lr, momentum: 0.5, rho: 0.8 }));
    theta0.forEach((t0, k) => {
      const [g1, g2] = gs.map((g) => g[k]!) as [number, number];
      const v1 = 0.2 * g1 * g1;
      const b1 = g1 / (Math.sqrt(v1) + 1e-8);
      const t1 = t0 - lr * b1;
      const v2 = 0.8 * v1 + 0.2 * g2 * g2;
      const b2 = 0.5 * b1 + g2 / (Math.sqrt(v2) + 1e-8);
      const t2 = t1 - lr * b2;
      expect(got[1]![k]).toBeCloseTo(t2, 13);
    });
  });

  it("centered: divides by √(v − ḡ²) + ε", () => {
    const got = run((w) => new RMSProp([w], { lr, centered: true }));
    theta0.forEach((t0, k) => {
      const [g1, g2] = gs.map((g) => g[k]!) as [number, number];
      const v1 = 0.1 * g1 * g1;
      const a1 = 0.1 * g1;
      const t1 = t0 - (lr * g1) / (Math.sqrt(v1 - a1 * a1) + 1e-8);
      const v2 = 0.9 * v1 + 0.1 * g2 * g2;
      const a2 = 0.9 * a1 + 0.1 * g2;
      const t2 = t1 - (lr * g2) / (Math.sqrt(v2 - a2 * a2) + 1e-8);
      expect(got[0]![k]).toBeCloseTo(t1, 13);
      expect(got[1]![k]).toBeCloseTo(t2, 13);
    });
  });
});

describe("Adagrad", () => {
  it("s ← s + g², θ ← θ − lr·g/(√s + ε), s₀ = 0, ε 1e-10", () => {
    const got = run((w) => new Adagrad([w], { lr }));
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const s1 = g1 * g1;
      const t1 = t0 - (lr * g1) / (Math.sqrt(s1) + 1e-10);
      const s2 = s1 + g2 * g2;
      const t2 = t1 - (lr * g2) / (Math.sqrt(s2) + 1e-10);
      const s3 = s2 + g3 * g3;
      const t3 = t2 - (lr * g3) / (Math.sqrt(s3) + 1e-10);
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 13)));
    });
  });

  it("initialAccumulatorValue 0.1 (TensorFlow's default) and weight decay", () => {
    const got = run((w) => new Adagrad([w], { lr, initialAccumulatorValue: 0.1, weightDecay: 0.2 }));
    theta0.forEach((t0, k) => {
      const [g1, g2] = gs.map((g) => g[k]!) as [number, number];
      const d1 = g1 + 0.2 * t0;
      const s1 = 0.1 + d1 * d1;
      const t1 = t0 - (lr * d1) / (Math.sqrt(s1) + 1e-10);
      const d2 = g2 + 0.2 * t1;
      const s2 = s1 + d2 * d2;
      const t2 = t1 - (lr * d2) / (Math.sqrt(s2) + 1e-10);
      expect(got[1]![k]).toBeCloseTo(t2, 13);
    });
  });
});
