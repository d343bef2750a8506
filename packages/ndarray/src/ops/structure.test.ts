import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError, values } from "../testing/helpers";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const a = f64([
  [1, 2, 3],
  [4, 5, 6],
]);
const b = f64([[7, 8, 9]]);

describe(`concat and stack [${backendName}]`, () => {
  it("concat joins along an existing axis", () => {
    expectArray(np.concat([a, b]), [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expectArray(np.concat([a, np.transpose(f64([[10, 11]]))], -1), [
      [1, 2, 3, 10],
      [4, 5, 6, 11],
    ]);
    expectArray(np.concat([f64([1]), f64([]), f64([2, 3])]), [1, 2, 3]);
    expect(np.concat([a])).toBe(a);
  });

  it("concat promotes dtypes and reads strided inputs", () => {
    const r = np.concat([np.array([1, 2], { dtype: "int32" }), np.array([0.5])]);
    expectArray(r, [1, 2, 0.5], { dtype: "float32" });
    expectArray(np.concat([np.slice(a, "::-1, ::2"), np.transpose(f64([[0, 0]]))], 1), [
      [4, 6, 0],
      [1, 3, 0],
    ]);
  });

  it("stack joins along a new axis", () => {
    const s = np.stack([f64([1, 2]), f64([3, 4]), f64([5, 6])]);
    expectArray(s, [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expectArray(np.stack([f64([1, 2]), f64([3, 4])], 1), [
      [1, 3],
      [2, 4],
    ]);
    expectArray(np.stack([f64([1, 2]), f64([3, 4])], -1), [
      [1, 3],
      [2, 4],
    ]);
    expect(np.stack([f64(1), f64(2)]).shape).toEqual([2]);
  });

  it("throw naming the op and the shapes", () => {
    expectError(() => np.concat([a, f64([[1, 2]])]), np.ShapeError, "concat", "[2, 3]", "[1, 2]");
    expectError(() => np.concat([a, f64([1, 2, 3])]), np.ShapeError, "concat", "[3]");
    expectError(() => np.concat([]), np.ShapeError, "concat");
    expectError(() => np.concat([a, a], 2), RangeError, "concat", "2");
    expectError(() => np.stack([f64([1, 2]), f64([1, 2, 3])]), np.ShapeError, "stack", "[2]", "[3]");
    expectError(() => np.stack([f64([1])], 2), RangeError, "stack", "2");
  });
});

describe(`split [${backendName}]`, () => {
  const x = np.reshape(np.arange(12, undefined, undefined, "float64"), [6, 2]);

  it("splits into equal sections or at indices, as views", () => {
    const parts = np.split(x, 3);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expectArray(parts[1]!, [
      [4, 5],
      [6, 7],
    ]);
    expect(parts[2]!.buffer).toBe(x.buffer);
    const at = np.split(x, [1, 1, 4]);
    expect(at.map((p) => p.shape[0])).toEqual([1, 0, 3, 2]);
    expectArray(at[2]!, [
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expectArray(np.split(x, 2, 1)[1]!, [[1], [3], [5], [7], [9], [11]]);
  });

  it("throws for uneven sections and bad indices", () => {
    expectError(() => np.split(x, 4), np.ShapeError, "split", "4", "[6, 2]");
    expectError(() => np.split(x, [3, 2]), RangeError, "split", "[3, 2]");
    expectError(() => np.split(x, [7]), RangeError, "split", "[7]");
    expectError(() => np.split(x, 2, 2), RangeError, "split", "2");
  });
});

describe(`pad [${backendName}]`, () => {
  it("pads each axis with [before, after] zeros or a constant", () => {
    expectArray(
      np.pad(f64([[1, 2]]), [
        [1, 0],
        [0, 2],
      ]),
      [
        [0, 0, 0, 0],
        [1, 2, 0, 0],
      ],
    );
    expectArray(np.pad(f64([1, 2]), 1, -1), [-1, 1, 2, -1]);
    expectArray(np.pad(np.array([5], { dtype: "int32" }), [[2, 1]], 7), [7, 7, 5, 7], { dtype: "int32" });
  });

  it("keeps values exact with a non-zero constant (no shift-and-unshift rounding)", () => {
    const x = np.array([1e-8, 3.14159]);
    const p = np.pad(x, 1, 1);
    expectArray(p, [1, Math.fround(1e-8), Math.fround(3.14159), 1], { dtype: "float32" });
  });

  it("reads strided inputs", () => {
    expectArray(
      np.pad(np.transpose(a), [
        [0, 1],
        [1, 0],
      ]),
      [
        [0, 1, 4],
        [0, 2, 5],
        [0, 3, 6],
        [0, 0, 0],
      ],
    );
  });

  it("throws for widths that do not fit, naming pad and the shape", () => {
    expectError(() => np.pad(a, [[1, 1]]), np.ShapeError, "pad", "[2, 3]");
    expectError(() => np.pad(a, -1), np.ShapeError, "pad", "-1");
  });
});

describe(`tile [${backendName}]`, () => {
  it("repeats the whole array (NumPy's tile)", () => {
    expectArray(np.tile(f64([1, 2]), [2, 3]), [
      [1, 2, 1, 2, 1, 2],
      [1, 2, 1, 2, 1, 2],
    ]);
    expectArray(np.tile(a, [2]), [
      [1, 2, 3, 1, 2, 3],
      [4, 5, 6, 4, 5, 6],
    ]);
    expectArray(np.tile(f64([[1], [2]]), [1, 2, 1]), [[[1], [2], [1], [2]]]);
    expect(np.tile(a, [0, 1]).shape).toEqual([0, 3]);
  });

  it("throws for negative or fractional repetitions", () => {
    expectError(() => np.tile(a, [-1]), RangeError, "tile", "-1");
    expectError(() => np.tile(a, [1.5]), RangeError, "tile", "1.5");
  });
});

describe(`gather / take and scatterAdd [${backendName}]`, () => {
  it("picks entries along an axis, with negative and repeated indices", () => {
    expectArray(np.gather(a, [1, 0, 1]), [
      [4, 5, 6],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectArray(np.take(a, [-1, 0], 1), [
      [3, 1],
      [6, 4],
    ]);
    expectArray(a.gather([2], -1), [[3], [6]]);
    expectArray(
      np.gather(
        f64([10, 20, 30]),
        np.array(
          [
            [2, 0],
            [1, 1],
          ],
          { dtype: "int32" },
        ),
      ),
      [
        [30, 10],
        [20, 20],
      ],
    );
    expectArray(np.gather(a, np.array(1, { dtype: "int32" }), 1), [2, 5]);
    expectArray(np.gather(np.transpose(a), [2], 0), [[3, 6]]);
  });

  it("throws for bad indices, naming gather, the index and the axis", () => {
    expectError(() => np.gather(a, [2]), RangeError, "gather", "index 2", "axis 0", "[2, 3]");
    expectError(() => np.gather(a, [-4], 1), RangeError, "gather", "-4");
    expectError(() => np.gather(a, [0.5]), TypeError, "gather", "0.5");
    expectError(() => np.gather(a, np.array([0])), TypeError, "gather", "float32");
    expectError(() => np.gather(a, [0], 2), RangeError, "gather", "2");
  });

  it("scatterAdd is gather's adjoint: duplicates accumulate", () => {
    const g = f64([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const idx = np.array([2, 0, 2], { dtype: "int32" });
    expectArray(np.scatterAdd(g, idx, 0, 4), [
      [3, 4],
      [0, 0],
      [6, 8],
      [0, 0],
    ]);
    // <gather(x, i), g> = <x, scatterAdd(g, i)> for any x.
    const x = f64([
      [1, -1],
      [2, 0.5],
      [3, 2],
      [-4, 1],
    ]);
    const lhs = np.sum(np.mul(np.gather(x, idx), g)).item();
    const rhs = np.sum(np.mul(x, np.scatterAdd(g, idx, 0, 4))).item();
    expect(lhs).toBe(rhs);
    expectError(() => np.scatterAdd(g, idx, 0, 2), RangeError, "scatterAdd", "2");
  });
});

describe(`oneHot [${backendName}]`, () => {
  it("encodes labels along a new last axis", () => {
    expectArray(
      np.oneHot([0, 2, 1], 3),
      [
        [1, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
      ],
      { dtype: "float32" },
    );
    expectArray(np.oneHot(np.array([[1], [0]], { dtype: "int32" }), 2, "float64"), [[[0, 1]], [[1, 0]]], {
      dtype: "float64",
    });
  });

  it("throws for labels outside [0, depth) and non-integer labels", () => {
    expectError(() => np.oneHot([3], 3), RangeError, "oneHot", "3");
    expectError(() => np.oneHot([-1], 3), RangeError, "oneHot", "-1");
    expectError(() => np.oneHot([1.5], 3), TypeError, "oneHot", "1.5");
    expectError(() => np.oneHot([0], -2), RangeError, "oneHot", "-2");
  });
});

describe(`unslice [${backendName}]`, () => {
  it("places values into zeros at starts/steps (the adjoint of slicing)", () => {
    const u = np.unslice(f64([1, 2]), [5], [4], [-3]);
    expectArray(u, [0, 2, 0, 0, 1]);
    expect(values(np.unslice(f64([[1]]), [2, 2], [1, 1], [1, 1]))).toEqual([0, 0, 0, 1]);
  });

  it("rejects placements outside the output, naming shapes, starts and steps", () => {
    // Two elements from 4 with step 2 would write position 6 of 5 (the kernel would write out of bounds).
    expect(() => np.unslice(f64([1, 2]), [5], [4], [2])).toThrow(
      /unslice: cannot place an array of shape \[2\] into \[5\] at starts \[4\] with steps \[2\]: axis 0: positions 4…6 fall outside \[0, 5\)/,
    );
    expect(() => np.unslice(f64([1, 2]), [5], [0], [-1])).toThrow(/positions 0…-1 fall outside/);
    expect(() => np.unslice(f64([1, 2]), [5, 1], [0], [1])).toThrow(/one entry per axis/);
    expect(() => np.unslice(f64([1, 2]), [5], [0], [0])).toThrow(/step non-zero/);
    expect(() => np.unslice(f64([1, 2]), [5], [0.5], [1])).toThrow(/must be integers/);
    expect(values(np.unslice(f64([]), [0], [0], [1]))).toEqual([]); // empty: nothing to place
  });
});
