import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { Adam, AdamW } from "./index";

const f64 = (v: number[]) => np.array(v, { dtype: "float64" });

// Two elements, three steps, gradients that change sign and size; lr 0.01.
const theta0 = [0.5, -1.5];
const gs = [
  [0.2, -3],
  [-0.1, 1],
  [0.4, 0.5],
];
const lr = 0.01;

function run<O extends Adam | AdamW>(make: (w: Variable) => O): number[][] {
  const w = new Variable(f64(theta0), { name: "w" });
  const opt = make(w);
  return gs.map((g) => (opt.step([f64(g)]), [...w.dataSync()]));
}

describe("Adam (Kingma & Ba 2015, Algorithm 1)", () => {
  it("the first step moves each weight by lr·g/(|g| + ε): m̂ = g, v̂ = g²", () => {
    const got = run((w) => new Adam([w], { lr }));
    theta0.forEach((t0, k) => {
      const g = gs[0]![k]!;
      expect(got[0]![k]).toBeCloseTo(t0 - (lr * g) / (Math.abs(g) + 1e-8), 14);
    });
  });

  it("three steps with bias correction, β1 0.9, β2 0.999, ε 1e-8", () => {
    const got = run((w) => new Adam([w], { lr }));
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const m1 = 0.1 * g1;
      const v1 = 0.001 * g1 * g1;
      const t1 = t0 - (lr * (m1 / (1 - b1))) / (Math.sqrt(v1 / (1 - b2)) + eps);
      const m2 = 0.9 * m1 + 0.1 * g2;
      const v2 = 0.999 * v1 + 0.001 * g2 * g2;
      const t2 = t1 - (lr * (m2 / (1 - b1 * b1))) / (Math.sqrt(v2 / (1 - b2 * b2)) + eps);
      const m3 = 0.9 * m2 + 0.1 * g3;
      const v3 = 0.999 * v2 + 0.001 * g3 * g3;
      const t3 = t2 - (lr * (m3 / (1 - b1 ** 3))) / (Math.sqrt(v3 / (1 - b2 ** 3)) + eps);
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 14)));
    });
  });

  it("weightDecay on Adam is L2: λθ is added to the gradient, and goes through m and v", () => {
    const got = run((w) => new Adam([w], { lr, weightDecay: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 }));
    theta0.forEach((t0, k) => {
      const [g1, g2] = gs.map((g) => g[k]!) as [number, number];
      const d1 = g1 + 0.1 * t0;
      const m1 = 0.2 * d1;
      const v1 = 0.01 * d1 * d1;
      const t1 = t0 - (lr * (m1 / 0.2)) / (Math.sqrt(v1 / 0.01) + 1e-6);
      const d2 = g2 + 0.1 * t1;
      const m2 = 0.8 * m1 + 0.2 * d2;
      const v2 = 0.99 * v1 + 0.01 * d2 * d2;
      const t2 = t1 - (lr * (m2 / (1 - 0.64))) / (Math.sqrt(v2 / (1 - 0.9801)) + 1e-6);
      expect(got[1]![k]).toBeCloseTo(t2, 14);
    });
  });
});

describe("AdamW (Loshchilov & Hutter 2019, PyTorch's form)", () => {
  it("shrinks θ by (1 − lr·λ), then takes the Adam step from the raw gradient", () => {
    const got = run((w) => new AdamW([w], { lr, weightDecay: 0.1 }));
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const m1 = 0.1 * g1;
      const v1 = 0.001 * g1 * g1;
      const t1 = t0 * (1 - lr * 0.1) - (lr * (m1 / (1 - b1))) / (Math.sqrt(v1 / (1 - b2)) + eps);
      const m2 = 0.9 * m1 + 0.1 * g2;
      const v2 = 0.999 * v1 + 0.001 * g2 * g2;
      const t2 = t1 * (1 - lr * 0.1) - (lr * (m2 / (1 - b1 ** 2))) / (Math.sqrt(v2 / (1 - b2 ** 2)) + eps);
      const m3 = 0.9 * m2 + 0.1 * g3;
      const v3 = 0.999 * v2 + 0.001 * g3 * g3;
      const t3 = t2 * (1 - lr * 0.1) - (lr * (m3 / (1 - b1 ** 3))) / (Math.sqrt(v3 / (1 - b2 ** 3)) + eps);
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 14)));
    });
  });

  it("defaults to weightDecay 1e-2, and with weightDecay 0 equals Adam", () => {
    const w = new Variable(f64([1]), { name: "w" });
    expect(new AdamW([w]).hyper.weightDecay).toBe(0.01);
    expect(run((v) => new AdamW([v], { lr, weightDecay: 0 }))).toEqual(run((v) => new Adam([v], { lr })));
  });

  it("bias correction counts each parameter's own updates (a null gradient skips it)", () => {
    const a = new Variable(f64([1]), { name: "a" });
    const b = new Variable(f64([1]), { name: "b" });
    const opt = new Adam([a, b], { lr });
    opt.step([f64([0.5]), null]);
    opt.step([f64([0.5]), f64([0.5])]);
    // b's first update is a first update: it moves by lr·g/(|g|+ε), as a's first did.
    expect(b.item()).toBeCloseTo(1 - (lr * 0.5) / (0.5 + 1e-8), 14);
    expect(opt.iterations).toBe(2);
  });
});

describe("Adam on a backend with a fused update", () => {
  it("hands the update to backend.fused.adam, and runs its own loop when the backend declines", () => {
    const before = np.getBackend();
    const calls: number[] = [];
    let accept = true;
    np.setBackend({
      ...before,
      name: "fused-test",
      fused: {
        adam: (s) => {
          calls.push(s.step);
          if (accept) s.param.fill(42);
          return accept;
        },
      },
    });
    try {
      const w = new Variable(f64(theta0), { name: "w" });
      const opt = new Adam([w], { lr });
      opt.step([f64(gs[0]!)]);
      expect([...w.dataSync()]).toEqual([42, 42]);
      accept = false;
      opt.step([f64(gs[1]!)]);
      expect(calls).toEqual([1, 2]);
      // Declined: the JS loop ran from the state the fused step left (m = v = 0), at t = 2.
      const want = gs[1]!.map((g) => {
        const m = 0.1 * g;
        const v = 0.001 * g * g;
        return 42 - (lr * (m / (1 - 0.9 ** 2))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
      });
      expect([...w.dataSync()]).toEqual(want.map((x) => expect.closeTo(x, 12)));
      // Weight decay is never offered to the backend.
      const d = new Variable(f64(theta0), { name: "d" });
      new AdamW([d], { lr }).step([f64(gs[0]!)]);
      expect(calls).toEqual([1, 2]);
    } finally {
      np.setBackend(before);
    }
  });
});
