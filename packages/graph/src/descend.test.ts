import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { descendMatmul } from "./descend";

/** θ − lr·g with g = a @ b stored in θ's dtype first: what an unfused SGD step computes. */
function unfused(theta: np.NDArray, a: np.NDArray, b: np.NDArray, lr: number): number[] {
  const g = np.matmul(a, b).dataSync();
  return Array.from(theta.dataSync(), (t, i) => t - lr * g[i]!).map((v) =>
    theta.dtype === "float32" ? Math.fround(v) : v,
  );
}

/** The same step from float64 loops over the nested values (independent of the kernels). */
function naive(theta: np.NDArray, a: np.NDArray, b: np.NDArray, lr: number): number[] {
  const A = a.toArray() as number[][];
  const B = b.toArray() as number[][];
  const T = theta.toArray() as number[][];
  return T.flatMap((row, i) => row.map((t, j) => t - lr * A[i]!.reduce((s, v, p) => s + v * B[p]![j]!, 0)));
}

describe("descendMatmul", () => {
  const rng = new np.Random(11);
  for (const dtype of ["float32", "float64"] as const) {
    it(`θ ← θ − lr·(a @ b) in ${dtype}, bit-identical to the unfused step, for plain and transposed operands`, () => {
      const cases: [number, number, number][] = [
        [25, 1, 50], // per-sample weight gradient xᵀ·δ (k = 1)
        [3, 7, 5], // a ragged tail of columns
        [1, 6, 4],
      ];
      for (const [m, k, n] of cases) {
        const a = rng.uniform([m, k], -1, 1, dtype);
        const b = rng.uniform([k, n], -1, 1, dtype);
        for (const [x, y] of [
          [a, b],
          [np.contiguous(a.T).T, np.contiguous(b.T).T], // both stored transposed
        ] as const) {
          const theta = rng.uniform([m, n], -1, 1, dtype);
          const want = unfused(theta, x, y, 0.05);
          const close = naive(theta, x, y, 0.05);
          descendMatmul(theta, x, y, 0.05);
          expect(Array.from(theta.dataSync())).toEqual(want);
          theta
            .dataSync()
            .forEach((v, i) =>
              expect(Math.abs(v - close[i]!)).toBeLessThan(dtype === "float32" ? 1e-6 : 1e-14),
            );
        }
      }
    });
  }

  it("names the op and the shapes on bad input", () => {
    const t = np.zeros([2, 3]);
    expect(() => descendMatmul(t, np.zeros([2, 4]), np.zeros([5, 3]), 0.1)).toThrow(
      "descendMatmul: θ must have the shape of a @ b, got θ [2, 3], a [2, 4], b [5, 3]",
    );
    expect(() => descendMatmul(t, np.zeros([2]), np.zeros([2, 3]), 0.1)).toThrow(/must be 2-D/);
    expect(() => descendMatmul(t, np.zeros([2, 1], "float64"), np.zeros([1, 3]), 0.1)).toThrow(
      /share one float dtype, got float32, float64, float32/,
    );
    expect(() => descendMatmul(np.zeros([3, 2]).T, np.zeros([2, 1]), np.zeros([1, 3]), 0.1)).toThrow(
      /θ must be contiguous/,
    );
  });
});
