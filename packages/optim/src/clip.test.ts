import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { clipByGlobalNorm, clipByValue, globalNorm, SGD } from "./index";

const f64 = (v: number[]) => np.array(v, { dtype: "float64" });

describe("gradient clipping", () => {
  it("clipByGlobalNorm scales all gradients by maxNorm/‖g‖ when ‖g‖ > maxNorm; nulls pass through", () => {
    // ‖[3, 4] ∪ [12]‖ = √(9 + 16 + 144) = 13
    const { grads, norm } = clipByGlobalNorm([f64([3, 4]), null, f64([12])], 6.5);
    expect(norm).toBe(13);
    expect(grads[0]!.toArray()).toEqual([1.5, 2]);
    expect(grads[1]).toBeNull();
    expect(grads[2]!.toArray()).toEqual([6]);
    expect(globalNorm(grads)).toBeCloseTo(6.5, 14);
  });

  it("clipByGlobalNorm leaves gradients within the norm untouched", () => {
    const g = [f64([3, 4])];
    const out = clipByGlobalNorm(g, 5);
    expect(out.norm).toBe(5);
    expect(out.grads[0]).toBe(g[0]);
  });

  it("clipByValue clamps each element", () => {
    const [a, b] = clipByValue([f64([-3, 0.5, 2]), null], -1, 1);
    expect(a!.toArray()).toEqual([-1, 0.5, 1]);
    expect(b).toBeNull();
    expect(() => clipByValue([], 1, -1)).toThrow(/min/);
  });

  it("the clipNorm option clips across all parameters before the update", () => {
    const a = new Variable(f64([0, 0]), { name: "a" });
    const b = new Variable(f64([0]), { name: "b" });
    new SGD([a, b], { lr: 1, clipNorm: 1 }).step([f64([3, 4]), f64([12])]);
    expect([...a.dataSync(), ...b.dataSync()]).toEqual(
      [-3 / 13, -4 / 13, -12 / 13].map((v) => expect.closeTo(v, 15)),
    );
  });

  it("the clipValue option clamps elements; with clipNorm, the norm is clipped first", () => {
    const a = new Variable(f64([0, 0]), { name: "a" });
    new SGD([a], { lr: 1, clipValue: 0.5 }).step([f64([3, -0.25])]);
    expect([...a.dataSync()]).toEqual([-0.5, 0.25]);
    const c = new Variable(f64([0, 0]), { name: "c" });
    new SGD([c], { lr: 1, clipNorm: 1, clipValue: 0.7 }).step([f64([3, 4])]);
    expect([...c.dataSync()]).toEqual([-0.6, -0.7].map((v) => expect.closeTo(v, 15)));
  });
});
