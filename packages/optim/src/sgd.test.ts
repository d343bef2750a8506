import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { SGD } from "./index";

const f64 = (v: number[]) => np.array(v, { dtype: "float64" });
const close = (actual: np.NDArray, expected: number[]) =>
  [...actual.dataSync()].forEach((a, k) => expect(a).toBeCloseTo(expected[k]!, 13));

// Three steps on θ0 = [1, −2] with these gradients, lr 0.1; every reference below is the update rule
// written out by hand for each element.
const theta0 = [1, -2];
const gs = [
  [0.5, -1],
  [0.25, 2],
  [-1, 0.5],
];
const lr = 0.1;

function run(opt: (w: Variable) => SGD): number[][] {
  const w = new Variable(f64(theta0), { name: "w" });
  const o = opt(w);
  return gs.map((g) => (o.step([f64(g)]), [...w.dataSync()]));
}

describe("SGD", () => {
  it("plain: θ ← θ − lr·g", () => {
    const got = run((w) => new SGD([w], { lr }));
    const ref = theta0.map((t0, k) => {
      const t1 = t0 - lr * gs[0]![k]!;
      const t2 = t1 - lr * gs[1]![k]!;
      const t3 = t2 - lr * gs[2]![k]!;
      return [t1, t2, t3];
    });
    got.forEach((row, s) =>
      close(
        f64(row),
        ref.map((r) => r[s]!),
      ),
    );
  });

  it("momentum 0.9 (PyTorch: b1 = g1, then b = μb + g; θ ← θ − lr·b)", () => {
    const got = run((w) => new SGD([w], { lr, momentum: 0.9 }));
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const b1 = g1;
      const t1 = t0 - lr * b1;
      const b2 = 0.9 * b1 + g2;
      const t2 = t1 - lr * b2;
      const b3 = 0.9 * b2 + g3;
      const t3 = t2 - lr * b3;
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 13)));
    });
  });

  it("momentum with dampening 0.5: b = μb + (1 − τ)g after the first step", () => {
    const got = run((w) => new SGD([w], { lr, momentum: 0.9, dampening: 0.5 }));
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const b1 = g1; // the first buffer is the raw gradient, undamped
      const b2 = 0.9 * b1 + 0.5 * g2;
      const b3 = 0.9 * b2 + 0.5 * g3;
      const t3 = t0 - lr * b1 - lr * b2 - lr * b3;
      expect(got[2]![k]).toBeCloseTo(t3, 13);
    });
  });

  it("Nesterov: θ ← θ − lr·(g + μb)", () => {
    const got = run((w) => new SGD([w], { lr, momentum: 0.9, nesterov: true }));
    theta0.forEach((t0, k) => {
      const [g1, g2, g3] = gs.map((g) => g[k]!) as [number, number, number];
      const b1 = g1;
      const t1 = t0 - lr * (g1 + 0.9 * b1);
      const b2 = 0.9 * b1 + g2;
      const t2 = t1 - lr * (g2 + 0.9 * b2);
      const b3 = 0.9 * b2 + g3;
      const t3 = t2 - lr * (g3 + 0.9 * b3);
      expect(got.map((row) => row[k])).toEqual([t1, t2, t3].map((v) => expect.closeTo(v, 13)));
    });
  });

  it("weight decay adds λθ to the gradient (before momentum)", () => {
    const got = run((w) => new SGD([w], { lr, momentum: 0.9, weightDecay: 0.01 }));
    theta0.forEach((t0, k) => {
      const [g1, g2] = gs.map((g) => g[k]!) as [number, number];
      const d1 = g1 + 0.01 * t0;
      const b1 = d1;
      const t1 = t0 - lr * b1;
      const d2 = g2 + 0.01 * t1;
      const b2 = 0.9 * b1 + d2;
      const t2 = t1 - lr * b2;
      expect(got[0]![k]).toBeCloseTo(t1, 13);
      expect(got[1]![k]).toBeCloseTo(t2, 13);
    });
  });

  it("rejects Nesterov without momentum, and requires lr", () => {
    const w = new Variable(f64([1]));
    expect(() => new SGD([w], { lr, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new SGD([w], {} as { lr: number })).toThrow(/lr is required/);
  });

  it("plain SGD keeps no state", () => {
    const w = new Variable(f64([1]), { name: "w" });
    expect(new SGD([w], { lr }).stateDict().slots).toEqual({});
  });
});
