import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { checkGrads, customGrad, grad, GradientTape, noGrad, stopGradient, valueAndGrad, vjp } from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const close = (a: np.NDArray, b: number[] | number, tol = 1e-12) => {
  const got = a.toArray() as number[] | number;
  const want = b;
  if (typeof want === "number")
    expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
  else
    (got as number[]).forEach((v, i) =>
      expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))),
    );
};

describe("closed-form derivatives of activations on linspace(-10, 10, 10)", () => {
  const xs = np.linspace(-10, 10, 10, "float64");
  const ref = Array.from(xs.dataSync());
  it("sigmoid: σ(1−σ)", () => {
    const sig = ref.map((v) => 1 / (1 + Math.exp(-v)));
    close(
      grad((x) => np.sigmoid(x))(xs),
      sig.map((s) => s * (1 - s)),
    );
  });
  it("tanh: 1 − tanh²", () => {
    close(
      grad((x) => np.tanh(x))(xs),
      ref.map((v) => 1 - Math.tanh(v) ** 2),
    );
  });
  it("relu: the step function", () => {
    expect(grad((x) => np.relu(x))(xs).toArray()).toEqual(ref.map((v) => (v > 0 ? 1 : 0)));
  });
  it("leakyRelu: 1 or the slope", () => {
    expect(grad((x) => np.leakyRelu(x, 0.1))(xs).toArray()).toEqual(ref.map((v) => (v > 0 ? 1 : 0.1)));
  });
});

describe("softmax Jacobian", () => {
  it("equals p_i(δ_ij − p_j)", () => {
    const x = f64([0.5, -1, 2, 0.1]);
    const p = Array.from(np.softmax(x).dataSync());
    for (let i = 0; i < 4; i++) {
      const row = grad((v) => np.slice(np.softmax(v), [i]))(x);
      close(
        row,
        p.map((pj, j) => p[i]! * ((i === j ? 1 : 0) - pj)),
        1e-14,
      );
    }
  });
});

describe("higher order", () => {
  it("grad(grad(f)) for x³ gives 6x, and a third derivative gives 6", () => {
    const cube = (x: np.NDArray) => x.mul(x).mul(x);
    const x = f64(1.5);
    close(grad(cube)(x), 3 * 1.5 ** 2);
    close(grad(grad(cube))(x), 6 * 1.5);
    close(grad(grad(grad(cube)))(x), 6);
  });

  it("nested tapes: second derivatives of exp, tanh and sigmoid (where TF.js fails)", () => {
    const x = f64([-2, -0.5, 0, 0.7, 3]);
    const xsArr = Array.from(x.dataSync());
    const second = (f: (v: np.NDArray) => np.NDArray) => {
      const outer = new GradientTape();
      const dy = outer.record(() => {
        outer.watch(x);
        const inner = new GradientTape();
        const y = inner.record(() => {
          inner.watch(x);
          return f(x);
        });
        return inner.gradient(y, x)!;
      });
      return outer.gradient(dy, x)!;
    };
    close(second(np.exp), xsArr.map(Math.exp));
    close(
      second(np.tanh),
      xsArr.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)),
    );
    close(
      second(np.sigmoid),
      xsArr.map((v) => {
        const s = 1 / (1 + Math.exp(-v));
        return s * (1 - s) * (1 - 2 * s);
      }),
    );
  });

  it("valueAndGrad with argument selection, and vjp", () => {
    const f = (a: np.NDArray, b: np.NDArray) => np.sum(a.mul(b).mul(b));
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const [v, [ga, gb]] = valueAndGrad(f, [0, 1])(a, b);
    expect(v.item()).toBe(1 * 9 + 2 * 16);
    expect(ga!.toArray()).toEqual([9, 16]);
    expect(gb!.toArray()).toEqual([6, 16]);
    const [, onlyB] = valueAndGrad(f, 1)(a, b);
    expect(onlyB.toArray()).toEqual([6, 16]);
    const [y, pullback] = vjp((p, q) => p.mul(q), a, b);
    expect(y.toArray()).toEqual([3, 8]);
    const [pa, pb] = pullback(f64([1, -1]));
    expect(pa!.toArray()).toEqual([3, -4]);
    expect(pb!.toArray()).toEqual([1, -2]);
    expect(pullback(f64([2, 2]))[0]!.toArray()).toEqual([6, 8]);
  });

  it("stopGradient, noGrad and customGrad", () => {
    const x = f64(3);
    expect(grad((v) => v.mul(stopGradient(v)))(x).item()).toBe(3);
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return noGrad(() => x.mul(x));
    });
    expect(tape.gradient(y, x)).toBeNull();
    // A clipped-gradient identity: forward is x², gradient is made 10× the true one.
    const loud = customGrad((v) => ({ value: v.mul(v), grad: (dy) => dy.mul(v).mul(20) }));
    expect(grad(loud)(x).item()).toBe(60);
    // The custom rule is itself differentiable: d/dx (20 x) = 20.
    expect(grad(grad(loud))(x).item()).toBe(20);
  });

  it("checkGrads catches a wrong gradient", () => {
    const wrong = customGrad((v) => ({ value: np.sin(v), grad: (dy) => dy.mul(np.sin(v)) }));
    expect(() => checkGrads(wrong, [f64([0.3, 1.2])])).toThrow(/order 1 derivative wrong for input 0/);
    // Right first derivative, but the rule detaches v, so its own derivative (the second) is lost.
    const detachedRule = customGrad((v) => ({
      value: v.mul(v).mul(v),
      grad: (dy) => dy.mul(stopGradient(v).square().mul(3)),
    }));
    expect(checkGrads(detachedRule, [f64([0.3, 1.2])], { order: 1 }).checked).toBe(2);
    expect(() => checkGrads(detachedRule, [f64([0.3, 1.2])], { order: 2 })).toThrow(
      /order 2 derivative wrong/,
    );
  });
});

describe("Himmelblau by gradient descent", () => {
  it("200 steps at lr 0.01 from (−4, 0) end within 1e-3 of (−3.7793, −3.2832)", () => {
    const himmelblau = (p: np.NDArray) => {
      const x = np.slice(p, [0]);
      const y = np.slice(p, [1]);
      return x
        .mul(x)
        .add(y)
        .sub(11)
        .square()
        .add(x.add(y.mul(y)).sub(7).square());
    };
    let p = f64([-4, 0]);
    const df = grad(himmelblau);
    for (let i = 0; i < 200; i++) p = p.sub(df(p).mul(0.01));
    const [x, y] = p.toArray() as number[];
    expect(Math.abs(x! - -3.7793)).toBeLessThan(1e-3);
    expect(Math.abs(y! - -3.2832)).toBeLessThan(1e-3);
  });
});
