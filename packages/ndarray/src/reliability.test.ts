// Issue 19: values that do not fit, wrong-typed shapes and impossible allocations get errors naming the op
// the user called, never a silent wrap, a 0 or an internal op's name.
import { describe, expect, it } from "vitest";
import * as np from "./index";

describe("values that do not fit an integer dtype are an error, in creation as in arithmetic", () => {
  it("full and array refuse 300 in uint8, as add(uint8, 300) does", () => {
    const u8 = np.zeros([2], "uint8");
    expect(() => np.add(u8, 300)).toThrow(/add: the number 300 does not fit the uint8 operand/);
    expect(() => np.full([2], 300, "uint8")).toThrow(
      new RangeError("full: the number 300 does not fit dtype uint8; use a wider dtype or convert it first"),
    );
    expect(() => np.full([2], -1, "uint8")).toThrow(/full: the number -1 does not fit dtype uint8/);
    expect(() => np.array([1, 256], { dtype: "uint8" })).toThrow(
      /array: the number 256 \(flat index 1\) does not fit dtype uint8/,
    );
    expect(() => np.array(new Float64Array([0, 3e9]), { dtype: "int32" })).toThrow(
      /array: the number 3000000000 \(flat index 1\) does not fit dtype int32/,
    );
    expect(np.full([2], 255, "uint8").toArray()).toEqual([255, 255]);
  });

  it("full and array refuse NaN and ±Infinity in int32 (they used to give 0) and truncate fractions", () => {
    expect(np.full([2], -2.5, "int32").toArray()).toEqual([-2, -2]);
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(() => np.full([2], v, "int32")).toThrow(`full: the number ${v} does not fit dtype int32`);
    }
    expect(np.full([1], -2147483648, "int32").toArray()).toEqual([-2147483648]);
    expect(() => np.full([1], 2147483648, "int32")).toThrow(/does not fit dtype int32/);
    // Floats and bool hold anything: NaN stays NaN, non-zero is true.
    expect(Number.isNaN(np.full([1], NaN, "float32").item())).toBe(true);
    expect(np.full([1], 7, "bool").toArray()).toEqual([true]);
  });

  it("cast truncates toward zero, and rejects NaN, ±Infinity and out-of-range values", () => {
    expect(np.cast(np.array([-2.7, 2.7, 2147483647.9], { dtype: "float64" }), "int32").toArray()).toEqual([
      -2, 2, 2147483647,
    ]);
    expect(() => np.cast(np.array([1, NaN]), "int32")).toThrow(
      new RangeError("cast: the float32 value NaN (flat index 1) does not fit dtype int32"),
    );
    expect(() => np.cast(np.array([Infinity]), "int32")).toThrow(
      /value Infinity .* does not fit dtype int32/,
    );
    expect(() => np.cast(np.array([-Infinity]), "int32")).toThrow(/value -Infinity/);
    expect(() => np.cast(np.array([3e9], { dtype: "float64" }), "int32")).toThrow(/value 3000000000/);
    expect(() => np.cast(np.array([1, 300], { dtype: "int32" }), "uint8")).toThrow(
      /cast: the int32 value 300 \(flat index 1\) does not fit dtype uint8/,
    );
    expect(() => np.array([-1], { dtype: "int32" }).astype("uint8")).toThrow(/value -1/);
    // Non-contiguous input: the index is the element's position in row-major order.
    const t = np.array(
      [
        [0, 1],
        [NaN, 3],
      ],
      { dtype: "float64" },
    ).T;
    expect(() => np.cast(t, "int32")).toThrow(/flat index 1\)/);
  });
});

describe("unclear errors: the op the user called, shapes as given, allocations explained", () => {
  it("softmax and clip name themselves, not max/maximum/minimum", () => {
    const u8 = np.zeros([2], "uint8");
    expect(() => np.clip(u8, -1, 3)).toThrow(/^clip: the number -1 does not fit the uint8 operand/);
    expect(() => np.clip(u8, 0, 300)).toThrow(/^clip: the number 300 does not fit/);
    expect(() => np.clip(np.zeros([2]), np.zeros([3]))).toThrow(
      "clip: shapes [2] and [3] cannot be broadcast together",
    );
    expect(() => np.softmax([1, 2] as unknown as np.NDArray)).toThrow(
      "softmax: expected an NDArray, got a JS array",
    );
    expect(() => np.logSoftmax(5 as unknown as np.NDArray)).toThrow(
      "logSoftmax: expected an NDArray, got number",
    );
    // A zero-length axis has nothing to normalise: an empty result, as in NumPy, not a "max" error.
    expect(np.softmax(np.zeros([2, 0])).shape).toEqual([2, 0]);
    expect(np.logSoftmax(np.zeros([0]), 0).shape).toEqual([0]);
  });

  it("reshape and creation reject string shape entries by type and print them as strings", () => {
    const x = np.zeros([6]);
    expect(() => np.reshape(x, ["2", "3"] as unknown as number[])).toThrow(
      new TypeError('reshape: shape entries must be integers, got ["2", "3"] (entry 0 is a string)'),
    );
    expect(() => np.zeros([2, "3"] as unknown as number[])).toThrow(
      'zeros: shape entries must be integers, got [2, "3"] (entry 1 is a string)',
    );
    expect(() => np.reshape(x, [2, 4])).toThrow(
      "reshape: cannot reshape array of shape [6] (6 elements) into [2, 4]",
    );
  });

  it("a huge allocation names the op, the shape, the dtype and the bytes", () => {
    // Each creation function names itself, not the `full` it is built on.
    expect(() => np.ones([1e6, 1e6], "uint8")).toThrow(
      /^ones: cannot allocate an array of shape \[1000000, 1000000\] and dtype uint8: 1000000000000 elements, 1000000000000 bytes/,
    );
    expect(() => np.eye(2e6)).toThrow(/^eye: cannot allocate an array of shape \[2000000, 2000000\]/);
    expect(() => np.zeros([1e6, 1e6])).toThrow(
      /^zeros: cannot allocate an array of shape \[1000000, 1000000\] and dtype float32: 1000000000000 elements, 4000000000000 bytes/,
    );
    const big = np.zeros([1, 1], "float64");
    expect(() => np.broadcastTo(big, [1e6, 1e6]).add(1)).toThrow(
      /^add: cannot allocate an array of shape \[1000000, 1000000\] and dtype float64: .* 8000000000000 bytes/,
    );
  });
});
