import { describe, expect, it } from "vitest";
import { maxLastAxis, sumAll, sumLastAxis, sumRows } from "./index";
import { maxRelError, randomArray } from "./test-helpers";

describe.each([
  ["float32", Float32Array, 1e-5],
  ["float64", Float64Array, 1e-13],
] as const)("reductions %s", (_dtype, ctor, tol) => {
  const shapes: [number, number][] = [
    [1, 1],
    [3, 5],
    [17, 33],
    [64, 100],
    [5, 1031],
  ];

  it("sumAll equals a float64 sum", () => {
    for (const n of [0, 1, 3, 4, 5, 1000, 100_003]) {
      const x = randomArray(ctor, n, n + 1);
      let s = 0;
      let mag = 0;
      for (const v of x) {
        s += v;
        mag += Math.abs(v);
      }
      // float32 inputs are summed in float64 lanes, so both dtypes are float64-accurate.
      expect(Math.abs(sumAll(x) - s)).toBeLessThanOrEqual(1e-14 * mag + 1e-300);
    }
  });

  it("sumRows gives column sums", () => {
    for (const [rows, cols] of shapes) {
      const x = randomArray(ctor, rows * cols, rows * 31 + cols);
      const expected = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[c]! += x[r * cols + c]!;
      expect(maxRelError(sumRows(x, rows, cols), expected, 1).worst).toBeLessThanOrEqual(tol);
    }
  });

  it("sumLastAxis gives row sums", () => {
    for (const [rows, cols] of shapes) {
      const x = randomArray(ctor, rows * cols, rows * 37 + cols);
      const expected = new Float64Array(rows);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[r]! += x[r * cols + c]!;
      expect(maxRelError(sumLastAxis(x, rows, cols), expected, 1).worst).toBeLessThanOrEqual(tol);
    }
  });

  it("maxLastAxis gives row maxima exactly, propagating NaN", () => {
    for (const [rows, cols] of shapes) {
      const x = randomArray(ctor, rows * cols, rows * 41 + cols);
      const expected = Array.from({ length: rows }, (_, r) =>
        Math.max(...x.subarray(r * cols, (r + 1) * cols)),
      );
      expect(Array.from(maxLastAxis(x, rows, cols))).toEqual(expected);
    }
    const withNaN = ctor.from([1, NaN, 3, 4, 5, 6, 7, 8, 9, -1]);
    expect(Array.from(maxLastAxis(withNaN, 2, 5))).toEqual([NaN, 9]);
    expect(Array.from(maxLastAxis(new ctor(0), 2, 0))).toEqual([-Infinity, -Infinity]);
  });

  it("writes into out and validates shapes", () => {
    const x = ctor.from([1, 2, 3, 4, 5, 6]);
    const out = new ctor(3);
    expect(sumRows(x, 2, 3, out)).toBe(out);
    expect(Array.from(out)).toEqual([5, 7, 9]);
    expect(() => sumRows(x, 4, 2)).toThrow(RangeError);
    expect(() => sumLastAxis(x, 2, 3, new ctor(3))).toThrow(RangeError);
  });
});
