import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { GradientTape, Variable } from "./index";

const s = (v: number) => np.array(v, { dtype: "float64" });
const val = (x: np.NDArray | null) => (x === null ? null : x.item());

describe("GradientTape (TensorFlow 2 examples)", () => {
  it("chain rule on a persistent tape: dy2/dy1 = 2, dy1/dw1 = 1, dy2/dw1 = 2", () => {
    const [x, w1, b1, w2, b2] = [1, 2, 1, 2, 1].map(s) as [
      np.NDArray,
      np.NDArray,
      np.NDArray,
      np.NDArray,
      np.NDArray,
    ];
    const tape = new GradientTape({ persistent: true });
    const { y1, y2 } = tape.record(() => {
      tape.watch(w1, b1, w2, b2);
      const y1 = x.mul(w1).add(b1);
      const y2 = y1.mul(w2).add(b2);
      return { y1, y2 };
    });
    const dy2dy1 = val(tape.gradient(y2, y1));
    const dy1dw1 = val(tape.gradient(y1, w1));
    const dy2dw1 = val(tape.gradient(y2, w1));
    expect(dy2dy1).toBe(2);
    expect(dy1dw1).toBe(1);
    expect(dy2dw1).toBe(2);
    expect(dy2dy1! * dy1dw1!).toBe(dy2dw1);
  });

  it("w=1, b=2, x=3: dy/dw = 3, dy/db = 1, and d²y/dw² is null (unconnected)", () => {
    const w = new Variable(s(1));
    const b = new Variable(s(2));
    const x = s(3);
    const t1 = new GradientTape();
    const { dyDw, dyDb } = t1.record(() => {
      const t2 = new GradientTape();
      const y = t2.record(() => x.mul(w).add(b));
      const [dyDw, dyDb] = t2.gradient(y, [w, b]);
      return { dyDw: dyDw!, dyDb: dyDb! };
    });
    expect(dyDw.item()).toBe(3);
    expect(dyDb.item()).toBe(1);
    expect(t1.gradient(dyDw, w)).toBeNull();
  });

  it("a non-persistent tape refuses a second gradient call with a clear error", () => {
    const x = s(3);
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return x.mul(x);
    });
    expect(tape.gradient(y, x)!.item()).toBe(6);
    expect(() => tape.gradient(y, x)).toThrow(/non-persistent.*persistent: true/);
  });

  it("returns null for unwatched or unconnected sources, zeros on request", () => {
    const x = s(2);
    const z = s(5);
    const tape = new GradientTape({ persistent: true });
    const y = tape.record(() => {
      tape.watch(x, z);
      return x.mul(x);
    });
    expect(tape.gradient(y, z)).toBeNull();
    expect(tape.gradient(y, s(1))).toBeNull();
    expect(tape.gradient(y, z, { unconnectedGradients: "zero" })!.item()).toBe(0);
  });

  it("gradients for nested structures keep the structure", () => {
    const a = np.array([1, 2], { dtype: "float64" });
    const b = np.array([[3], [4]], { dtype: "float64" });
    const c = s(7);
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(a, b, c);
      return np.sum(a.mul(b)).mul(c); // c * Σ_ij a_j b_i
    });
    const g = tape.gradient(y, { first: [a, b], second: { c } });
    // closed forms: d/da_j = c Σ_i b_i, d/db_i = c Σ_j a_j, d/dc = Σ a_j b_i
    expect(g.first[0]!.toArray()).toEqual([49, 49]);
    expect(g.first[1]!.toArray()).toEqual([[21], [21]]);
    expect(g.second.c!.item()).toBe(21);
  });

  it("watches trainable Variables automatically, but not non-trainable ones", () => {
    const w = new Variable(np.array([1, 2, 3], { dtype: "float64" }));
    const frozen = new Variable(np.array([1, 1, 1], { dtype: "float64" }), { trainable: false });
    const tape = new GradientTape({ persistent: true });
    const y = tape.record(() => np.sum(w.mul(w).mul(frozen)));
    expect(tape.gradient(y, w)!.toArray()).toEqual([2, 4, 6]);
    expect(tape.gradient(y, frozen)).toBeNull();
  });

  it("Variable.assign updates in place and checks shapes", () => {
    const w = new Variable(np.array([1, 2]));
    const before = w.buffer;
    w.assign(np.array([5, 6]));
    expect(w.buffer).toBe(before);
    expect(w.toArray()).toEqual([5, 6]);
    expect(() => w.assign(np.array([1, 2, 3]))).toThrow(/shape \[2\].*\[3\]/);
  });

  it("output gradients weight the target (vector-Jacobian product)", () => {
    const x = np.array([1, 2, 3], { dtype: "float64" });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return x.mul(x);
    });
    const g = tape.gradient(y, x, { outputGradients: np.array([1, 10, 100], { dtype: "float64" }) });
    expect(g!.toArray()).toEqual([2, 40, 600]);
  });

  it("prints the recorded graph", () => {
    const x = s(2);
    const tape = new GradientTape();
    tape.record(() => {
      tape.watch(x);
      return x.mul(3).exp();
    });
    const text = tape.toString();
    expect(text).toMatch(/mul\(/);
    expect(text).toMatch(/exp\(/);
  });

  it("lists dtypes and shapes as @chainrule/graph does", () => {
    const x = np.array([1, 2], { dtype: "float64" });
    const n = np.array([1, 2, 3], { dtype: "int32" });
    const tape = new GradientTape({ persistent: true });
    tape.record(() => {
      tape.watch(x);
      return np.sum(x.mul(x)).mul(np.cast(np.sum(n), "float64"));
    });
    const lines = tape.toString().split("\n");
    // The int32 sum is not recorded (it reads nothing watched); the sum reduces with kept dims, then reshapes.
    expect(lines).toEqual([
      "GradientTape(4 ops, persistent)",
      "  %1:f64[2] = mul(%0:f64[2], %0:f64[2])",
      "  %2:f64[1] = sum(%1:f64[2])",
      "  %3:f64[] = reshape(%2:f64[1])",
      "  %5:f64[] = mul(%3:f64[], %4:f64[])",
    ]);
  });
});

describe("the computational-graph view of backprop (apples and oranges)", () => {
  it("2 apples at 100 with tax 1.1: price 220, dapple 2.2, dapple_num 110, dtax 200", () => {
    const apple = s(100);
    const appleNum = s(2);
    const tax = s(1.1);
    const tape = new GradientTape();
    const price = tape.record(() => {
      tape.watch(apple, appleNum, tax);
      const applePrice = apple.mul(appleNum); // mul node 1
      return applePrice.mul(tax); // mul node 2
    });
    const [dApple, dAppleNum, dTax] = tape.gradient(price, [apple, appleNum, tax]);
    // Local gradients multiplied along the chain, in float64 exactly as the textbook's Python.
    expect(price.item()).toBe(100 * 2 * 1.1);
    expect(Math.round(price.item() * 1e9) / 1e9).toBe(220);
    expect(dApple!.item()).toBe(2 * 1.1);
    expect(dAppleNum!.item()).toBe(100 * 1.1);
    expect(dTax!.item()).toBe(200);
  });

  it("adding 3 oranges at 150: price 715 and the five gradients", () => {
    const [apple, appleNum, orange, orangeNum, tax] = [100, 2, 150, 3, 1.1].map(s) as [
      np.NDArray,
      np.NDArray,
      np.NDArray,
      np.NDArray,
      np.NDArray,
    ];
    const tape = new GradientTape();
    const price = tape.record(() => {
      tape.watch(apple!, appleNum!, orange!, orangeNum!, tax!);
      const all = apple!.mul(appleNum!).add(orange!.mul(orangeNum!)); // add node
      return all.mul(tax!);
    });
    const g = tape.gradient(price, { appleNum, apple, orange, orangeNum, tax }) as Record<string, np.NDArray>;
    expect(Math.round(price.item() * 1e9) / 1e9).toBe(715);
    expect(g.appleNum!.item()).toBe(100 * 1.1);
    expect(g.apple!.item()).toBe(2 * 1.1);
    expect(g.orange!.item()).toBe(3 * 1.1);
    expect(g.orangeNum!.item()).toBe(150 * 1.1);
    expect(g.tax!.item()).toBe(650);
    // and the rounded textbook figures
    expect([110, 2.2, 3.3, 165, 650].map((v) => v.toFixed(9))).toEqual(
      ["appleNum", "apple", "orange", "orangeNum", "tax"].map((k) => g[k]!.item().toFixed(9)),
    );
  });
});
