import { describe, expect, it } from "vitest";
import { adamUpdate, axpy, biasAct, type Activation } from "./index";
import { maxRelError, randomArray } from "./test-helpers";

const act: Record<Activation, (x: number) => number> = {
  none: (x) => x,
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

describe.each([
  ["float32", Float32Array, 4e-7],
  ["float64", Float64Array, 1e-15],
] as const)("fused %s", (dtype, ctor, tol) => {
  const round = (v: number) => (dtype === "float32" ? Math.fround(v) : v);

  it.each(Object.keys(act) as Activation[])("biasAct %s equals act(x + bias)", (name) => {
    const rows = 9;
    const cols = 21;
    const x = randomArray(ctor, rows * cols, 7);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * 6;
    const bias = randomArray(ctor, cols, 8);
    const y = biasAct(x, bias, name);
    const expected = Array.from(x, (v, i) => round(act[name](round(v + bias[i % cols]!))));
    const { worst } = maxRelError(y, expected, 1e-30);
    expect(worst).toBeLessThanOrEqual(tol);
  });

  it("adamUpdate follows the paper's bias-corrected step over several steps", () => {
    const n = 203;
    const param = randomArray(ctor, n, 1);
    const m = new ctor(n);
    const v = new ctor(n);
    const ref = { p: Float64Array.from(param), m: new Float64Array(n), v: new Float64Array(n) };
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-8];
    for (let step = 1; step <= 5; step++) {
      const grad = randomArray(ctor, n, 100 + step);
      adamUpdate(param, grad, m, v, lr, b1, b2, eps, step);
      for (let i = 0; i < n; i++) {
        const g = grad[i]!;
        ref.m[i] = b1 * ref.m[i]! + (1 - b1) * g;
        ref.v[i] = b2 * ref.v[i]! + (1 - b2) * g * g;
        const mHat = ref.m[i]! / (1 - b1 ** step);
        const vHat = ref.v[i]! / (1 - b2 ** step);
        ref.p[i] = ref.p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    }
    const close = dtype === "float32" ? 1e-5 : 1e-13;
    expect(maxRelError(m, ref.m, 1e-3).worst).toBeLessThanOrEqual(close);
    expect(maxRelError(v, ref.v, 1e-6).worst).toBeLessThanOrEqual(close);
    expect(maxRelError(param, ref.p, 1e-3).worst).toBeLessThanOrEqual(close);
  });

  it("axpy computes y + alpha·x in place (an SGD step with alpha = -lr)", () => {
    const x = randomArray(ctor, 37, 3);
    const y = randomArray(ctor, 37, 4);
    const expected = Array.from(y, (v, i) => round(v + round(-0.1 * x[i]!)));
    expect(axpy(-0.1, x, y)).toBe(y);
    expect(maxRelError(y, expected, 1e-30).worst).toBeLessThanOrEqual(tol);
  });

  it("rejects mismatched lengths", () => {
    expect(() => biasAct(new ctor(10), new ctor(3))).toThrow(RangeError);
    expect(() => axpy(1, new ctor(3), new ctor(4))).toThrow(RangeError);
    expect(() => adamUpdate(new ctor(3), new ctor(3), new ctor(2), new ctor(3), 0.1)).toThrow(RangeError);
    expect(() =>
      adamUpdate(new ctor(3), new ctor(3), new ctor(3), new ctor(3), 0.1, 0.9, 0.999, 1e-8, 0),
    ).toThrow(RangeError);
  });
});
