import { describe, expect, it } from "vitest";
import { backendName } from "./testing/backend";
import { expectError } from "./testing/helpers";
import * as np from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });

/**
 * Expected texts were printed by NumPy 2.4 (`repr`) for the same values, with one deliberate
 * difference: the dtypes left out are this library's defaults (float32, int32, bool) where NumPy
 * leaves out its own (float64, int64, bool). Everything else (digits, alignment, scientific
 * notation, wrapping at 75 columns, summarising with "..." above 1000 elements, the shape=
 * suffix) is NumPy's.
 */
const numpyCases: [string, () => np.NDArray, string][] = [
  ["np.array([1, 2, 3])", () => np.array([1, 2, 3]), "array([1., 2., 3.])"],
  ["f64([1.5, 2.25, -3])", () => f64([1.5, 2.25, -3]), "array([ 1.5 ,  2.25, -3.  ], dtype=float64)"],
  [
    "f64([[1.5, 2.25], [-3, 100]])",
    () =>
      f64([
        [1.5, 2.25],
        [-3, 100],
      ]),
    "array([[  1.5 ,   2.25],\n       [ -3.  , 100.  ]], dtype=float64)",
  ],
  ["f64([1e-5, 1.5])", () => f64([1e-5, 1.5]), "array([1.0e-05, 1.5e+00], dtype=float64)"],
  ["f64([1e8, 1])", () => f64([1e8, 1]), "array([1.e+08, 1.e+00], dtype=float64)"],
  ["f64([1, 1000.1])", () => f64([1, 1000.1]), "array([1.0000e+00, 1.0001e+03], dtype=float64)"],
  ["np.array([0.1, 0.2, 0.3])", () => np.array([0.1, 0.2, 0.3]), "array([0.1, 0.2, 0.3])"],
  [
    "np.array([1.1, 2.7, 1 / 3])",
    () => np.array([1.1, 2.7, 1 / 3]),
    "array([1.1       , 2.7       , 0.33333334])",
  ],
  ["f64([1 / 3, 2 / 3])", () => f64([1 / 3, 2 / 3]), "array([0.33333333, 0.66666667], dtype=float64)"],
  [
    "f64([NaN, 1.5, Infinity, -Infinity])",
    () => f64([NaN, 1.5, Infinity, -Infinity]),
    "array([ nan,  1.5,  inf, -inf], dtype=float64)",
  ],
  [
    "f64([NaN, -Infinity, 1e-7])",
    () => f64([NaN, -Infinity, 1e-7]),
    "array([   nan,   -inf, 1.e-07], dtype=float64)",
  ],
  ["f64([0.001953125, 1])", () => f64([0.001953125, 1]), "array([0.00195312, 1.        ], dtype=float64)"],
  ["f64([-0, 0, 1])", () => f64([-0, 0, 1]), "array([-0.,  0.,  1.], dtype=float64)"],
  [
    "f64([123456.789, 0.001])",
    () => f64([123456.789, 0.001]),
    "array([1.23456789e+05, 1.00000000e-03], dtype=float64)",
  ],
  ["f64([1e100, 1e-100])", () => f64([1e100, 1e-100]), "array([1.e+100, 1.e-100], dtype=float64)"],
  [
    'np.arange(30, undefined, undefined, "float64")',
    () => np.arange(30, undefined, undefined, "float64"),
    "array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n       13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25.,\n       26., 27., 28., 29.], dtype=float64)",
  ],
  [
    'np.arange(30, undefined, undefined, "uint8")',
    () => np.arange(30, undefined, undefined, "uint8"),
    "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], dtype=uint8)",
  ],
  [
    "np.reshape(np.arange(24), [2, 3, 4])",
    () => np.reshape(np.arange(24), [2, 3, 4]),
    "array([[[ 0,  1,  2,  3],\n        [ 4,  5,  6,  7],\n        [ 8,  9, 10, 11]],\n\n       [[12, 13, 14, 15],\n        [16, 17, 18, 19],\n        [20, 21, 22, 23]]])",
  ],
  [
    'np.array([[1000, -2], [3, 40]], { dtype: "int32" })',
    () =>
      np.array(
        [
          [1000, -2],
          [3, 40],
        ],
        { dtype: "int32" },
      ),
    "array([[1000,   -2],\n       [   3,   40]])",
  ],
  [
    'np.array([255, 0, 7], { dtype: "uint8" })',
    () => np.array([255, 0, 7], { dtype: "uint8" }),
    "array([255,   0,   7], dtype=uint8)",
  ],
  ["np.array([true, false])", () => np.array([true, false]), "array([ True, False])"],
  ["np.array([[true]])", () => np.array([[true]]), "array([[ True]])"],
  ["f64(3.5)", () => f64(3.5), "array(3.5, dtype=float64)"],
  ["np.array(3.5)", () => np.array(3.5), "array(3.5)"],
  ["np.array(true)", () => np.array(true), "array(True)"],
  ['np.array(7, { dtype: "int32" })', () => np.array(7, { dtype: "int32" }), "array(7)"],
  ['np.zeros([0], "float64")', () => np.zeros([0], "float64"), "array([], dtype=float64)"],
  ["np.zeros([0])", () => np.zeros([0]), "array([], dtype=float32)"],
  ['np.zeros([2, 0], "int32")', () => np.zeros([2, 0], "int32"), "array([], shape=(2, 0), dtype=int32)"],
  [
    "np.arange(2000)",
    () => np.arange(2000),
    "array([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000,))",
  ],
  [
    'np.arange(2000, undefined, undefined, "float64")',
    () => np.arange(2000, undefined, undefined, "float64"),
    "array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n       1.999e+03], shape=(2000,), dtype=float64)",
  ],
  [
    'np.reshape(np.arange(2000, undefined, undefined, "float64"), [40, 50])',
    () => np.reshape(np.arange(2000, undefined, undefined, "float64"), [40, 50]),
    "array([[0.000e+00, 1.000e+00, 2.000e+00, ..., 4.700e+01, 4.800e+01,\n        4.900e+01],\n       [5.000e+01, 5.100e+01, 5.200e+01, ..., 9.700e+01, 9.800e+01,\n        9.900e+01],\n       [1.000e+02, 1.010e+02, 1.020e+02, ..., 1.470e+02, 1.480e+02,\n        1.490e+02],\n       ...,\n       [1.850e+03, 1.851e+03, 1.852e+03, ..., 1.897e+03, 1.898e+03,\n        1.899e+03],\n       [1.900e+03, 1.901e+03, 1.902e+03, ..., 1.947e+03, 1.948e+03,\n        1.949e+03],\n       [1.950e+03, 1.951e+03, 1.952e+03, ..., 1.997e+03, 1.998e+03,\n        1.999e+03]], shape=(40, 50), dtype=float64)",
  ],
  [
    'np.div(np.reshape(np.arange(2000, undefined, undefined, "float64"), [10, 10, 20]), 7)',
    () => np.div(np.reshape(np.arange(2000, undefined, undefined, "float64"), [10, 10, 20]), 7),
    "array([[[0.00000000e+00, 1.42857143e-01, 2.85714286e-01, ...,\n         2.42857143e+00, 2.57142857e+00, 2.71428571e+00],\n        [2.85714286e+00, 3.00000000e+00, 3.14285714e+00, ...,\n         5.28571429e+00, 5.42857143e+00, 5.57142857e+00],\n        [5.71428571e+00, 5.85714286e+00, 6.00000000e+00, ...,\n         8.14285714e+00, 8.28571429e+00, 8.42857143e+00],\n        ...,\n        [2.00000000e+01, 2.01428571e+01, 2.02857143e+01, ...,\n         2.24285714e+01, 2.25714286e+01, 2.27142857e+01],\n        [2.28571429e+01, 2.30000000e+01, 2.31428571e+01, ...,\n         2.52857143e+01, 2.54285714e+01, 2.55714286e+01],\n        [2.57142857e+01, 2.58571429e+01, 2.60000000e+01, ...,\n         2.81428571e+01, 2.82857143e+01, 2.84285714e+01]],\n\n       [[2.85714286e+01, 2.87142857e+01, 2.88571429e+01, ...,\n         3.10000000e+01, 3.11428571e+01, 3.12857143e+01],\n        [3.14285714e+01, 3.15714286e+01, 3.17142857e+01, ...,\n         3.38571429e+01, 3.40000000e+01, 3.41428571e+01],\n        [3.42857143e+01, 3.44285714e+01, 3.45714286e+01, ...,\n         3.67142857e+01, 3.68571429e+01, 3.70000000e+01],\n        ...,\n        [4.85714286e+01, 4.87142857e+01, 4.88571429e+01, ...,\n         5.10000000e+01, 5.11428571e+01, 5.12857143e+01],\n        [5.14285714e+01, 5.15714286e+01, 5.17142857e+01, ...,\n         5.38571429e+01, 5.40000000e+01, 5.41428571e+01],\n        [5.42857143e+01, 5.44285714e+01, 5.45714286e+01, ...,\n         5.67142857e+01, 5.68571429e+01, 5.70000000e+01]],\n\n       [[5.71428571e+01, 5.72857143e+01, 5.74285714e+01, ...,\n         5.95714286e+01, 5.97142857e+01, 5.98571429e+01],\n        [6.00000000e+01, 6.01428571e+01, 6.02857143e+01, ...,\n         6.24285714e+01, 6.25714286e+01, 6.27142857e+01],\n        [6.28571429e+01, 6.30000000e+01, 6.31428571e+01, ...,\n         6.52857143e+01, 6.54285714e+01, 6.55714286e+01],\n        ...,\n        [7.71428571e+01, 7.72857143e+01, 7.74285714e+01, ...,\n         7.95714286e+01, 7.97142857e+01, 7.98571429e+01],\n        [8.00000000e+01, 8.01428571e+01, 8.02857143e+01, ...,\n         8.24285714e+01, 8.25714286e+01, 8.27142857e+01],\n        [8.28571429e+01, 8.30000000e+01, 8.31428571e+01, ...,\n         8.52857143e+01, 8.54285714e+01, 8.55714286e+01]],\n\n       ...,\n\n       [[2.00000000e+02, 2.00142857e+02, 2.00285714e+02, ...,\n         2.02428571e+02, 2.02571429e+02, 2.02714286e+02],\n        [2.02857143e+02, 2.03000000e+02, 2.03142857e+02, ...,\n         2.05285714e+02, 2.05428571e+02, 2.05571429e+02],\n        [2.05714286e+02, 2.05857143e+02, 2.06000000e+02, ...,\n         2.08142857e+02, 2.08285714e+02, 2.08428571e+02],\n        ...,\n        [2.20000000e+02, 2.20142857e+02, 2.20285714e+02, ...,\n         2.22428571e+02, 2.22571429e+02, 2.22714286e+02],\n        [2.22857143e+02, 2.23000000e+02, 2.23142857e+02, ...,\n         2.25285714e+02, 2.25428571e+02, 2.25571429e+02],\n        [2.25714286e+02, 2.25857143e+02, 2.26000000e+02, ...,\n         2.28142857e+02, 2.28285714e+02, 2.28428571e+02]],\n\n       [[2.28571429e+02, 2.28714286e+02, 2.28857143e+02, ...,\n         2.31000000e+02, 2.31142857e+02, 2.31285714e+02],\n        [2.31428571e+02, 2.31571429e+02, 2.31714286e+02, ...,\n         2.33857143e+02, 2.34000000e+02, 2.34142857e+02],\n        [2.34285714e+02, 2.34428571e+02, 2.34571429e+02, ...,\n         2.36714286e+02, 2.36857143e+02, 2.37000000e+02],\n        ...,\n        [2.48571429e+02, 2.48714286e+02, 2.48857143e+02, ...,\n         2.51000000e+02, 2.51142857e+02, 2.51285714e+02],\n        [2.51428571e+02, 2.51571429e+02, 2.51714286e+02, ...,\n         2.53857143e+02, 2.54000000e+02, 2.54142857e+02],\n        [2.54285714e+02, 2.54428571e+02, 2.54571429e+02, ...,\n         2.56714286e+02, 2.56857143e+02, 2.57000000e+02]],\n\n       [[2.57142857e+02, 2.57285714e+02, 2.57428571e+02, ...,\n         2.59571429e+02, 2.59714286e+02, 2.59857143e+02],\n        [2.60000000e+02, 2.60142857e+02, 2.60285714e+02, ...,\n         2.62428571e+02, 2.62571429e+02, 2.62714286e+02],\n        [2.62857143e+02, 2.63000000e+02, 2.63142857e+02, ...,\n         2.65285714e+02, 2.65428571e+02, 2.65571429e+02],\n        ...,\n        [2.77142857e+02, 2.77285714e+02, 2.77428571e+02, ...,\n         2.79571429e+02, 2.79714286e+02, 2.79857143e+02],\n        [2.80000000e+02, 2.80142857e+02, 2.80285714e+02, ...,\n         2.82428571e+02, 2.82571429e+02, 2.82714286e+02],\n        [2.82857143e+02, 2.83000000e+02, 2.83142857e+02, ...,\n         2.85285714e+02, 2.85428571e+02, 2.85571429e+02]]],\n      shape=(10, 10, 20), dtype=float64)",
  ],
  [
    'np.linspace(0, 1, 17, "float64")',
    () => np.linspace(0, 1, 17, "float64"),
    "array([0.    , 0.0625, 0.125 , 0.1875, 0.25  , 0.3125, 0.375 , 0.4375,\n       0.5   , 0.5625, 0.625 , 0.6875, 0.75  , 0.8125, 0.875 , 0.9375,\n       1.    ], dtype=float64)",
  ],
  [
    'np.sub(np.reshape(np.arange(24, undefined, undefined, "float32"), [2, 1, 3, 4]), 12)',
    () => np.sub(np.reshape(np.arange(24, undefined, undefined, "float32"), [2, 1, 3, 4]), 12),
    "array([[[[-12., -11., -10.,  -9.],\n         [ -8.,  -7.,  -6.,  -5.],\n         [ -4.,  -3.,  -2.,  -1.]]],\n\n\n       [[[  0.,   1.,   2.,   3.],\n         [  4.,   5.,   6.,   7.],\n         [  8.,   9.,  10.,  11.]]]])",
  ],
  [
    "np.transpose(np.reshape(np.arange(6), [2, 3]))",
    () => np.transpose(np.reshape(np.arange(6), [2, 3])),
    "array([[0, 3],\n       [1, 4],\n       [2, 5]])",
  ],
  [
    'np.slice(np.reshape(np.arange(12, undefined, undefined, "float64"), [3, 4]), "::-1, 1::2")',
    () => np.slice(np.reshape(np.arange(12, undefined, undefined, "float64"), [3, 4]), "::-1, 1::2"),
    "array([[ 9., 11.],\n       [ 5.,  7.],\n       [ 1.,  3.]], dtype=float64)",
  ],
  [
    "np.broadcastTo(f64([0.5, -1]), [3, 2])",
    () => np.broadcastTo(f64([0.5, -1]), [3, 2]),
    "array([[ 0.5, -1. ],\n       [ 0.5, -1. ],\n       [ 0.5, -1. ]], dtype=float64)",
  ],
];

describe(`toString (NumPy repr) [${backendName}]`, () => {
  for (const [label, make, want] of numpyCases) {
    it(label, () => {
      expect(make().toString()).toBe(want);
    });
  }

  it("summarises only above 1000 elements", () => {
    expect(np.arange(1000).toString()).not.toContain("...");
    expect(np.arange(1001).toString()).toContain("...");
    expect(np.arange(1001).toString()).toContain("shape=(1001,)");
  });

  it("is what console.log / util.inspect shows", () => {
    const x = f64([1, 2]);
    const inspect = (x as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")]!;
    expect(inspect.call(x)).toBe(x.toString());
    expect(`${x}`).toBe("array([1., 2.], dtype=float64)");
  });
});

describe(`item, toArray, data [${backendName}]`, () => {
  it("item() converts one-element arrays of any shape", () => {
    expect(f64(2.5).item()).toBe(2.5);
    expect(f64([[7]]).item()).toBe(7);
    expect(np.array(true).item()).toBe(1);
    expect(np.slice(f64([1, 2, 3]), "2:").item()).toBe(3);
    expectError(() => f64([1, 2]).item(), np.ShapeError, "item", "[2]");
    expectError(() => np.zeros([0]).item(), np.ShapeError, "item", "[0]");
  });

  it("toArray() gives nested JS arrays (booleans for bool), in row-major order of the view", () => {
    expect(
      f64([
        [1, 2],
        [3, 4],
      ]).toArray(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(
      np
        .transpose(
          f64([
            [1, 2],
            [3, 4],
          ]),
        )
        .toArray(),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(np.array([true, false]).toArray()).toEqual([true, false]);
    expect(f64(5).toArray()).toBe(5);
    expect(np.zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(np.array([0.1]).toArray()).toEqual([Math.fround(0.1)]);
  });

  it("data gives a flat typed array of the dtype's type", () => {
    expect(np.array([1, 2]).dataSync()).toBeInstanceOf(Float32Array);
    expect(f64([1, 2]).dataSync()).toBeInstanceOf(Float64Array);
    expect(np.arange(3).dataSync()).toBeInstanceOf(Int32Array);
    expect(np.array([true]).dataSync()).toBeInstanceOf(Uint8Array);
    expect(
      Array.from(
        np
          .slice(
            f64([
              [1, 2],
              [3, 4],
            ]),
            ":, 1",
          )
          .dataSync(),
      ),
    ).toEqual([2, 4]);
  });
});
