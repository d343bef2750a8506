// jvp, hvp, jacobian and hessian, each checked against float64 central differences (computed here on plain
// number arrays, sharing no code with the tape) and against the other mode's result.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { grad, GradientTape, hessian, hvp, jacobian, jvp, noGrad, Variable, vjp } from "./index";

type Fn = (...xs: np.NDArray[]) => np.NDArray;
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const values = (a: np.NDArray) => Array.from(a.dataSync() as Float64Array);
const EPS = 1e-6;

/** Central differences of f's flattened output with respect to flat element j of argument i. */
function fdColumn(f: Fn, args: np.NDArray[], i: number, j: number): number[] {
  const at = (delta: number) => {
    const moved = args.map((a, k) => {
      const b = values(a);
      if (k === i) b[j]! += delta;
      return np.array(b, { dtype: "float64" }).reshape(a.shape);
    });
    return values(noGrad(() => f(...moved)));
  };
  const plus = at(EPS);
  const minus = at(-EPS);
  return plus.map((p, k) => (p - minus[k]!) / (2 * EPS));
}

/** The Jacobian by central differences, as rows[outIndex][inIndex]. */
function fdJacobian(f: Fn, args: np.NDArray[], i: number): number[][] {
  const cols = values(args[i]!).map((_, j) => fdColumn(f, args, i, j));
  return cols[0]!.map((_, r) => cols.map((c) => c[r]!));
}

const expectClose = (got: number[], want: number[], tol: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) =>
    expect(Math.abs(g - want[k]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[k]!))),
  );
};

// y = tanh(W x) · Σx²: a [2] output of a [3] input with every entry of J non-trivial.
const W = f64([
  [0.3, -0.7, 1.1],
  [0.9, 0.2, -0.4],
]);
const vecF: Fn = (x) => np.tanh(np.matmul(W, x)).mul(np.sum(x.mul(x)));
const x0 = f64([0.5, -1.2, 0.8]);
// A scalar function of two arguments, with cross terms, for Hessians.
const scalarF: Fn = (a, b) => np.sum(np.exp(a.mul(0.5)).mul(np.sin(b))).add(np.sum(a.mul(a).mul(b)));
const a0 = f64([0.3, -0.4]);
const b0 = f64([1.1, 0.7]);

describe("jacobian", () => {
  it("matches central differences and has shape [...out, ...in]", () => {
    const J = jacobian(vecF)(x0);
    expect(J.shape).toEqual([2, 3]);
    expectClose(values(J), fdJacobian(vecF, [x0], 0).flat(), 1e-8);
  });
  it("matches forward mode: column j is jvp with the j-th unit tangent", () => {
    const J = jacobian(vecF)(x0).toArray() as number[][];
    for (let j = 0; j < 3; j++) {
      const e = f64([0, 1, 2].map((k) => (k === j ? 1 : 0)));
      const [, col] = jvp(vecF, [x0], [e]);
      expectClose(values(col), [J[0]![j]!, J[1]![j]!], 1e-12);
    }
  });
  it("of X ↦ X·X is δᵢₖXₗⱼ + Xᵢₖδⱼₗ with shape [2, 2, 2, 2]", () => {
    const X = f64([
      [1, 2],
      [3, 4],
    ]);
    const Xv = X.toArray() as number[][];
    const J = jacobian((x) => np.matmul(x, x))(X);
    expect(J.shape).toEqual([2, 2, 2, 2]);
    const want: number[] = [];
    const d = (p: number, q: number) => (p === q ? 1 : 0);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let k = 0; k < 2; k++)
          for (let l = 0; l < 2; l++) want.push(d(i, k) * Xv[l]![j]! + Xv[i]![k]! * d(j, l));
    expect(values(J)).toEqual(want);
  });
  it("with several argnums gives one block per argument; an unconnected one is zeros", () => {
    const f: Fn = (a, b, _c) => a.mul(b);
    const c = f64([5]);
    const [ja, jb, jc] = jacobian(f, [0, 1, 2])(a0, b0, c);
    expectClose(values(ja!), [1.1, 0, 0, 0.7], 1e-15);
    expectClose(values(jb!), [0.3, 0, 0, -0.4], 1e-15);
    expect(jc!.shape).toEqual([2, 1]);
    expect(values(jc!)).toEqual([0, 0]);
  });
  it("can itself be differentiated (it is built from array ops)", () => {
    // d/dx Σ J(x) for f = x³ elementwise: J = diag(3x²), so the gradient is 6x.
    const g = grad((x) => np.sum(jacobian((v) => v.mul(v).mul(v))(x)))(x0);
    expectClose(
      values(g),
      values(x0).map((v) => 6 * v),
      1e-12,
    );
  });
  it("rejects a bad argnum, naming jacobian", () => {
    expect(() => jacobian(vecF, 1)(x0)).toThrow(/jacobian: argnum 1 is out of range for 1 arguments/);
  });
});

describe("jvp (forward mode by the double-vjp trick)", () => {
  const v = f64([0.2, -0.5, 1.3]);
  it("returns f(x) and J·v, matching central differences along v", () => {
    const [y, dy] = jvp(vecF, [x0], [v]);
    expectClose(values(y), values(noGrad(() => vecF(x0))), 0);
    // (f(x + εv) − f(x − εv)) / 2ε
    const at = (s: number) => values(noGrad(() => vecF(x0.add(v.mul(s)))));
    const fd = at(EPS).map((p, k) => (p - at(-EPS)[k]!) / (2 * EPS));
    expectClose(values(dy), fd, 1e-8);
  });
  it("matches reverse mode: J·v from the rows uᵀJ of vjp", () => {
    const [, pullback] = vjp(vecF, x0);
    const rows = [f64([1, 0]), f64([0, 1])].map((u) => values(pullback(u)[0]!));
    const want = rows.map((r) => r.reduce((s, rk, k) => s + rk * values(v)[k]!, 0));
    expectClose(values(jvp(vecF, [x0], [v])[1]), want, 1e-12);
  });
  it("sums over several arguments: J_a·v_a + J_b·v_b", () => {
    const f: Fn = (a, b) => np.sin(a).mul(b);
    const [va, vb] = [f64([1, 2]), f64([-1, 0.5])];
    const got = values(jvp(f, [a0, b0], [va, vb])[1]);
    const [a, b] = [values(a0), values(b0)];
    expectClose(
      got,
      a.map((ak, k) => Math.cos(ak) * b[k]! * values(va)[k]! + Math.sin(ak) * values(vb)[k]!),
      1e-14,
    );
  });
  it("gives zeros for a function that ignores its input, and works on Variables", () => {
    expect(values(jvp(() => f64([1, 2]), [x0], [v])[1])).toEqual([0, 0]);
    const w = new Variable(f64([2, 3]));
    expectClose(values(jvp((x) => x.mul(x), [w], [f64([1, 1])])[1]), [4, 6], 0);
  });
  it("rejects a tangent of the wrong shape, naming both shapes", () => {
    expect(() => jvp(vecF, [x0], [f64([1, 2])])).toThrow(
      /jvp: tangent 0 has shape \[2\] but primal 0 has shape \[3\]/,
    );
  });
});

describe("hessian and hvp", () => {
  /** ∂²f/∂xᵢ∂xⱼ by central differences of the (reverse-mode) gradient. */
  const fdHessianBlock = (i: number, j: number) =>
    fdJacobian((...xs) => grad(scalarF, i)(...xs), [a0, b0], j);

  it("hessian matches central differences of the gradient, block by block", () => {
    const H = hessian(scalarF, [0, 1])(a0, b0);
    for (const i of [0, 1])
      for (const j of [0, 1]) {
        expect(H[i]![j]!.shape).toEqual([2, 2]);
        expectClose(values(H[i]![j]!), fdHessianBlock(i, j).flat(), 1e-7);
      }
  });
  it("hessian matches second differences of f itself (no autodiff in the reference)", () => {
    const f = (x: np.NDArray) => np.sum(np.exp(x.mul(0.5)).mul(np.sin(b0))).add(np.sum(x.mul(x).mul(b0)));
    const H = values(hessian(f)(a0));
    const h = 1e-4;
    const F = (d0: number, d1: number) =>
      noGrad(() => f(f64([values(a0)[0]! + d0, values(a0)[1]! + d1]))).item();
    const want = [
      (F(h, 0) - 2 * F(0, 0) + F(-h, 0)) / h ** 2,
      (F(h, h) - F(h, -h) - F(-h, h) + F(-h, -h)) / (4 * h * h),
      (F(h, h) - F(h, -h) - F(-h, h) + F(-h, -h)) / (4 * h * h),
      (F(0, h) - 2 * F(0, 0) + F(0, -h)) / h ** 2,
    ];
    expectClose(H, want, 1e-6);
  });
  it("of a quadratic ½xᵀAx is the symmetric part of A exactly", () => {
    const A = f64([
      [2, 1, 0],
      [3, 4, 1],
      [0, 5, 6],
    ]);
    const H = hessian((x) => np.sum(x.mul(np.matmul(A, x))).mul(0.5))(x0).toArray() as number[][];
    const Av = A.toArray() as number[][];
    H.forEach((row, i) => row.forEach((h, j) => expect(h).toBeCloseTo((Av[i]![j]! + Av[j]![i]!) / 2, 12)));
  });
  it("hvp matches central differences of the gradient along v, and the Hessian times v", () => {
    const [va, vb] = [f64([0.4, -1]), f64([2, 0.3])];
    const [ha, hb] = hvp(scalarF, [a0, b0], [va, vb]);
    const at = (s: number) => grad(scalarF, [0, 1])(a0.add(va.mul(s)), b0.add(vb.mul(s))).map(values);
    const [plus, minus] = [at(EPS), at(-EPS)];
    expectClose(
      values(ha!),
      plus[0]!.map((p, k) => (p - minus[0]![k]!) / (2 * EPS)),
      1e-7,
    );
    expectClose(
      values(hb!),
      plus[1]!.map((p, k) => (p - minus[1]![k]!) / (2 * EPS)),
      1e-7,
    );
    // Reverse mode: block row i of H times v.
    const H = hessian(scalarF, [0, 1])(a0, b0).map((row) => row.map((h) => h.toArray() as number[][]));
    const v = [values(va), values(vb)];
    const Hv = (i: number) =>
      [0, 1].map((r) =>
        [0, 1].reduce((s, j) => s + H[i]![j]![r]!.reduce((t, h, c) => t + h * v[j]![c]!, 0), 0),
      );
    expectClose(values(ha!), Hv(0), 1e-12);
    expectClose(values(hb!), Hv(1), 1e-12);
  });
});

describe("an unconnected input", () => {
  it("gets null from the tape and zeros from grad, jacobian and jvp (the README table)", () => {
    const [x, z] = [f64([1, 2]), f64([3])];
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x, z);
      return np.sum(x.mul(x));
    });
    expect(tape.gradient(y, [x, z])[1]).toBeNull();
    expect(values(grad((a, _b) => np.sum(a.mul(a)), 1)(x, z))).toEqual([0]);
    expect(values(jacobian((a, _b) => a.mul(a), 1)(x, z))).toEqual([0, 0]);
    expect(values(hvp((a, _b) => np.sum(a.mul(a)), [x, z], [x, z])[1]!)).toEqual([0]);
  });
});
