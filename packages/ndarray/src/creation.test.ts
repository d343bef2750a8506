import { describe, expect, it } from "vitest";
import { backendName } from "./testing/backend";
import { expectArray, expectError, values } from "./testing/helpers";
import * as np from "./index";

describe(`array [${backendName}]`, () => {
  it("builds from nested arrays: numbers give float32, booleans bool", () => {
    const x = np.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe("float32");
    expect(x.buffer).toBeInstanceOf(Float32Array);
    expect(Array.from(x.buffer)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(x.strides).toEqual([3, 1]);
    expect(x.offset).toBe(0);
    const b = np.array([[true], [false]]);
    expect(b.dtype).toBe("bool");
    expect(Array.from(b.buffer)).toEqual([1, 0]);
    expect(np.array(2.5).shape).toEqual([]);
    expect(np.array([]).shape).toEqual([0]);
    expect(np.array([[], []]).shape).toEqual([2, 0]);
  });

  it("honours dtype and shape options", () => {
    const x = np.array([1.5, -2.7, 3], { dtype: "float64" });
    expect(x.buffer).toBeInstanceOf(Float64Array);
    expect(Array.from(x.buffer)).toEqual([1.5, -2.7, 3]);
    expect(Array.from(np.array([1.7, -1.7], { dtype: "int32" }).buffer)).toEqual([1, -1]);
    expect(Array.from(np.array([1, 2, 3, 4], { shape: [2, 2] }).buffer)).toEqual([1, 2, 3, 4]);
    expect(np.array([1, 2, 3, 4], { shape: [2, 2] }).shape).toEqual([2, 2]);
    // bool stores 0/1: any non-zero is true
    expect(Array.from(np.array([0, 2, -0.5, NaN], { dtype: "bool" }).buffer)).toEqual([0, 1, 1, 1]);
    expect(Array.from(np.array([true, 2]).buffer)).toEqual([1, 1]);
  });

  it("copies typed arrays, keeping their type", () => {
    const src = new Float64Array([1, 2, 3, 4]);
    const x = np.array(src, { shape: [2, 2] });
    expect(x.dtype).toBe("float64");
    expect(x.buffer).not.toBe(src);
    src[0] = 99;
    expect(x.buffer[0]).toBe(1);
    expect(np.array(new Uint8Array([1, 255])).dtype).toBe("uint8");
    expect(np.array(new Int32Array([7])).dtype).toBe("int32");
    expect(Array.from(np.array(new Float32Array([0.5, 0]), { dtype: "bool" }).buffer)).toEqual([1, 0]);
    expect(Array.from(np.array(new Float64Array([2.9]), { dtype: "int32" }).buffer)).toEqual([2]);
  });

  it("throws for ragged nesting naming the path and lengths", () => {
    expectError(
      () => np.array([[1, 2], [3]]),
      np.ShapeError,
      "array",
      "ragged",
      "root[1]",
      "length 2",
      "length 1",
    );
    expectError(() => np.array([[1, 2], 3] as never), np.ShapeError, "array", "root[1]");
    expectError(() => np.array([1, [2]] as never), np.ShapeError, "array", "root[1]");
    expectError(() => np.array([[[1], [2, 3]]]), np.ShapeError, "array", "root[0][1]");
  });

  it("throws for bad elements, dtypes and shapes", () => {
    expectError(() => np.array([1, "2"] as never), TypeError, "array", "root[1]", "string");
    expectError(() => np.array([1], { dtype: "int64" as never }), TypeError, "array", "int64");
    expectError(() => np.array([1, 2, 3], { shape: [2, 2] }), np.ShapeError, "array", "3", "[2, 2]");
    expectError(() => np.array([1, 2, 3, 4], { shape: [-2, -2] }), np.ShapeError, "array", "[-2, -2]");
    expectError(() => np.array(new Int16Array(2) as never), TypeError, "array", "typed array");
    expectError(() => np.array(new Float32Array(3), { shape: [2] }), np.ShapeError, "array", "3", "[2]");
  });
});

describe(`fromTypedArray [${backendName}]`, () => {
  it("wraps without copying", () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const x = np.fromTypedArray(data, [2, 3]);
    expect(x.buffer).toBe(data);
    expect(x.dtype).toBe("float32");
    data[5] = 60;
    expect(values(x)[5]).toBe(60);
    expect(np.fromTypedArray(new Uint8Array([1, 0]), [2], "bool").dtype).toBe("bool");
  });

  it("refuses a dtype the typed array cannot hold, and a wrong size", () => {
    expectError(
      () => np.fromTypedArray(new Float32Array(2), [2], "float64"),
      TypeError,
      "fromTypedArray",
      "float64",
    );
    expectError(() => np.fromTypedArray(new Float32Array(2), [3]), np.ShapeError, "fromTypedArray", "[3]");
    expectError(
      () => np.fromTypedArray(new Float32Array(4), [-2, -2]),
      np.ShapeError,
      "fromTypedArray",
      "[-2, -2]",
    );
  });
});

describe(`filled arrays [${backendName}]`, () => {
  it("zeros, ones, full and the *Like variants", () => {
    expectArray(
      np.zeros([2, 2]),
      [
        [0, 0],
        [0, 0],
      ],
      { dtype: "float32" },
    );
    expectArray(np.ones([3], "int32"), [1, 1, 1], { dtype: "int32" });
    expectArray(np.full([2], 7.5, "float64"), [7.5, 7.5], { dtype: "float64" });
    expectArray(np.full([2], 3, "bool"), [true, true], { dtype: "bool" });
    expect(Array.from(np.full([2], 3, "bool").buffer)).toEqual([1, 1]);
    expectArray(np.full([1], true, "float32"), [1]);
    const x = np.array([[1, 2, 3]], { dtype: "float64" });
    expectArray(np.zerosLike(x), [[0, 0, 0]], { dtype: "float64" });
    expectArray(np.onesLike(x, "uint8"), [[1, 1, 1]], { dtype: "uint8" });
    expectArray(np.fullLike(x, -2), [[-2, -2, -2]], { dtype: "float64" });
    expect(np.zeros([]).shape).toEqual([]);
    expect(np.zeros([0, 4]).size).toBe(0);
  });

  it("throw for bad shapes and dtypes, naming the op", () => {
    expectError(() => np.zeros([-1]), np.ShapeError, "zeros", "[-1]");
    expectError(() => np.ones([1.5]), np.ShapeError, "ones", "[1.5]");
    expectError(() => np.zeros([2], "complex64" as never), TypeError, "zeros", "complex64");
  });
});

describe(`arange, linspace, eye [${backendName}]`, () => {
  it("arange counts [start, stop) by step; int32 for integer arguments", () => {
    expectArray(np.arange(5), [0, 1, 2, 3, 4], { dtype: "int32" });
    expectArray(np.arange(2, 8, 3), [2, 5], { dtype: "int32" });
    expectArray(np.arange(5, 0, -2), [5, 3, 1]);
    expectArray(np.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], { dtype: "float32" });
    expectArray(np.arange(0, 2.5), [0, 1, 2], { dtype: "float32" });
    expectArray(np.arange(0, 3, 1, "float64"), [0, 1, 2], { dtype: "float64" });
    expect(np.arange(3, 1).shape).toEqual([0]);
    expectError(() => np.arange(0, 5, 0), RangeError, "arange", "step", "0");
    expectError(() => np.arange(NaN), RangeError, "arange", "NaN");
    expectError(() => np.arange(0, Infinity), RangeError, "arange", "Infinity");
  });

  it("linspace includes both ends", () => {
    expectArray(np.linspace(0, 1, 5, "float64"), [0, 0.25, 0.5, 0.75, 1], { dtype: "float64" });
    expectArray(np.linspace(2, -2, 3), [2, 0, -2]);
    expectArray(np.linspace(3, 9, 1), [3]);
    expect(np.linspace(0, 1, 0).shape).toEqual([0]);
    const l = np.linspace(0, 0.3, 4, "float64");
    expect(values(l)[3]).toBe(0.3); // the end point exactly, not 3·0.1
    expectError(() => np.linspace(0, 1, -1), RangeError, "linspace", "-1");
    expectError(() => np.linspace(0, 1, 2.5), RangeError, "linspace", "2.5");
  });

  it("eye puts ones on diagonal k", () => {
    expectArray(np.eye(3), [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expectArray(
      np.eye(2, 3, 1, "int32"),
      [
        [0, 1, 0],
        [0, 0, 1],
      ],
      { dtype: "int32" },
    );
    expectArray(np.eye(3, 2, -1), [
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    expectError(() => np.eye(-1), np.ShapeError, "eye", "-1");
    expectError(() => np.eye(2, 2, 0.5), RangeError, "eye", "0.5");
  });
});
