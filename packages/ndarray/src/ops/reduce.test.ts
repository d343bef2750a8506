import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError, expectValues, randomValues, rng } from "../testing/helpers";
import { argmaxOf, argminOf, maxOf, meanOf, minOf, prodOf, reduceRef, sumOf } from "../testing/reference";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });

describe(`reductions [${backendName}]`, () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("sum, mean, prod, max, min match hand-worked values", () => {
    expectArray(np.sum(x), 21, { dtype: "float64" });
    expectArray(np.sum(x, 0), [5, 7, 9]);
    expectArray(np.sum(x, 1), [6, 15]);
    expectArray(np.sum(x, -1, true), [[6], [15]]);
    expectArray(np.sum(x, [0, 1], true), [[21]]);
    expectArray(np.mean(x, 0), [2.5, 3.5, 4.5]);
    expectArray(np.mean(x), 3.5);
    expectArray(np.prod(x, 1), [6, 120]);
    expectArray(np.prod(x), 720);
    expectArray(np.max(x, 0), [4, 5, 6]);
    expectArray(np.max(x, 1, true), [[3], [6]]);
    expectArray(np.min(x), 1);
    expectArray(np.min(x, -2), [1, 2, 3]);
  });

  it("argmax and argmin give int32 indices, the first one on ties", () => {
    const t = f64([
      [3, 1, 3],
      [0, 0, -2],
    ]);
    expectArray(np.argmax(t, 1), [0, 0], { dtype: "int32" });
    expectArray(np.argmin(t, 1), [1, 2]);
    expectArray(np.argmax(t, 0), [0, 0, 0]);
    expectArray(np.argmin(t, 0), [1, 1, 1]);
    expectArray(np.argmax(t), 0); // index into the flattened array
    expectArray(np.argmin(t), 5);
    expectArray(np.argmax(t, 1, true), [[0], [0]]);
    expectArray(np.argmin(t, undefined, true), [[5]]);
    expectArray(np.argmax(np.slice(t, ":, ::-1"), -1), [0, 1]); // rows reversed: [3, 1, 3], [-2, 0, 0]
  });

  it("max, min, argmax and argmin propagate NaN (NumPy semantics)", () => {
    const n = f64([
      [1, NaN, 3],
      [NaN, 2, 0],
      [4, 5, 6],
    ]);
    expectArray(np.max(n, 1), [NaN, NaN, 6]);
    expectArray(np.min(n, 1), [NaN, NaN, 4]);
    expectArray(np.max(n, 0), [NaN, NaN, 6]);
    expectArray(np.min(n, 0), [NaN, NaN, 0]);
    expectArray(np.max(n), NaN);
    expectArray(np.argmax(n, 1), [1, 0, 2]);
    expectArray(np.argmin(n, 0), [1, 0, 1]);
    expectArray(np.max(f64([NaN, 1])), NaN);
    expectArray(np.max(f64([1, NaN])), NaN);
  });

  it("integer and bool sums count in int32; means are float", () => {
    const b = np.array([true, true, false, true]);
    expectArray(np.sum(b), 3, { dtype: "int32" });
    const u = np.full([300], 200, "uint8");
    expectArray(np.sum(u), 60000, { dtype: "int32" }); // no uint8 wrap-around
    expectArray(np.prod(np.array([2, 3, 4], { dtype: "int32" })), 24, { dtype: "int32" });
    expectArray(np.max(u), 200, { dtype: "uint8" });
    expectArray(np.mean(np.array([1, 2], { dtype: "int32" })), 1.5, { dtype: "float32" });
    expectArray(np.sum(np.array(true), []), 1, { dtype: "int32" });
  });

  it("float32 sums accumulate in float64 (a million 0.1s)", () => {
    const n = 1_000_000;
    const s = np.sum(np.full([n], 0.1, "float32")).item();
    const exact = n * Math.fround(0.1);
    expect(Math.abs(s - exact) / exact).toBeLessThan(1e-7);
    // Along an axis too (the leading-axis path), and for mean.
    const cols = np.sum(np.full([n / 4, 4], 0.1, "float32"), 0);
    expectValues(
      cols,
      [1, 2, 3, 4].map(() => Math.fround((n / 4) * Math.fround(0.1))),
    );
    expect(Math.abs(np.mean(np.full([n], 0.1, "float32")).item() - Math.fround(0.1))).toBeLessThan(1e-8);
  });

  it("empty reductions: sum 0, prod 1, mean NaN; max/min/argmax throw naming op and shape", () => {
    const e = np.zeros([0, 3], "float64");
    expectArray(np.sum(e, 0), [0, 0, 0]);
    expectArray(np.prod(e, 0), [1, 1, 1]);
    expectArray(np.mean(e, 0), [NaN, NaN, NaN]);
    expect(np.sum(e, 1).shape).toEqual([0]);
    expectError(() => np.max(e, 0), np.ShapeError, "max", "[0, 3]");
    expectError(() => np.min(e), np.ShapeError, "min", "[0, 3]");
    expectError(() => np.argmax(e, 0), np.ShapeError, "argmax", "[0, 3]");
    expectError(() => np.argmin(np.zeros([0])), np.ShapeError, "argmin", "[0]");
    expect(np.max(e, 1).shape).toEqual([0]); // nothing to reduce over is fine when no output cell
  });

  it("bad axes throw naming the op and the axis", () => {
    expectError(() => np.sum(x, 2), RangeError, "sum", "axis 2", "rank 2");
    expectError(() => np.mean(x, -3), RangeError, "mean", "-3");
    expectError(() => np.max(x, [0, 0]), RangeError, "max", "repeated");
    expectError(() => np.argmax(x, 5), RangeError, "argmax", "5");
    expectError(() => np.prod(x, 0.5), RangeError, "prod", "0.5");
  });

  it("an empty axis list leaves the values (as NumPy's axis=())", () => {
    expectArray(np.sum(x, []), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectArray(np.max(x, [], true), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("agree with a naive reference over every axis subset of a strided 3-D view", () => {
    const next = rng(7);
    const base = np.array(randomValues(next, 4 * 5 * 6), { dtype: "float64", shape: [4, 5, 6] });
    const views: [string, np.NDArray][] = [
      ["contiguous", base],
      ["permuted", np.permute(base, [2, 0, 1])],
      ["reversed", np.slice(base, "::-1, 1:, ::-2")],
      ["broadcast", np.broadcastTo(np.slice(base, "0:1, :, 0"), [3, 5])],
    ];
    const ops: [
      string,
      (x: np.NDArray, ax?: number[], k?: boolean) => np.NDArray,
      (v: number[]) => number,
    ][] = [
      ["sum", np.sum, sumOf],
      ["prod", np.prod, prodOf],
      ["max", np.max, maxOf],
      ["min", np.min, minOf],
      ["mean", np.mean, meanOf],
    ];
    for (const [label, v] of views) {
      const subsets: number[][] = [];
      for (let mask = 0; mask < 1 << v.ndim; mask++)
        subsets.push(v.shape.map((_, i) => i).filter((i) => mask & (1 << i)));
      for (const axes of subsets) {
        for (const [name, op, f] of ops) {
          const ref = reduceRef(v, axes, f);
          const kept = op(v, axes, true);
          expect(kept.shape, `${name} ${label} [${axes}]`).toEqual(ref.shape);
          expectValues(kept, ref.values, { rtol: 1e-12, atol: 1e-15 });
          expect(op(v, axes).shape).toEqual(ref.keptShape);
        }
      }
      for (let ax = 0; ax < v.ndim; ax++) {
        expectValues(np.argmax(v, ax), reduceRef(v, [ax], argmaxOf).values);
        expectValues(np.argmin(v, ax), reduceRef(v, [ax], argminOf).values);
      }
    }
  });

  it("float32 reductions agree with a float64 reference", () => {
    const next = rng(3);
    const vals = randomValues(next, 6 * 7).map(Math.fround);
    const a32 = np.array(vals, { dtype: "float32", shape: [6, 7] });
    const a64 = np.array(vals, { dtype: "float64", shape: [6, 7] });
    for (const op of [np.sum, np.mean, np.max, np.min, np.prod]) {
      for (const ax of [0, 1, undefined]) {
        const r = op(a32, ax);
        expect(r.dtype).toBe("float32");
        expectValues(r, Array.from(op(a64, ax).dataSync()).map(Math.fround), { rtol: 1e-6, atol: 1e-7 });
      }
    }
  });

  it("are available as methods", () => {
    expectArray(x.sum(0).max(), 9);
    expectArray(x.mean(1, true).min(), 2);
    expectArray(x.argmax(1), [2, 2]);
    expectArray(x.prod(), 720);
  });
});
