import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { at, expectArray, expectError, expectValues, indices } from "../testing/helpers";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });

/** Reference broadcasting: out[i] = f(a[i mapped], b[i mapped]), written index by index. */
function broadcastRef(a: np.NDArray, b: np.NDArray, f: (x: number, y: number) => number) {
  const rank = Math.max(a.ndim, b.ndim);
  const pa = [...new Array<number>(rank - a.ndim).fill(1), ...a.shape];
  const pb = [...new Array<number>(rank - b.ndim).fill(1), ...b.shape];
  const shape = pa.map((d, i) => (d === 1 ? pb[i]! : d));
  const pick = (x: np.NDArray, padded: number[], idx: number[]) =>
    at(
      x,
      idx.slice(rank - x.ndim).map((v, i) => (padded[rank - x.ndim + i] === 1 ? 0 : v)),
    );
  return { shape, values: indices(shape).map((idx) => f(pick(a, pa, idx), pick(b, pb, idx))) };
}

describe(`binary arithmetic [${backendName}]`, () => {
  const a = f64([
    [1, -2, 3],
    [4, 5, -6],
  ]);
  const b = f64([
    [2, 4, -1],
    [0.5, -5, 3],
  ]);

  it("matches hand-worked values in float64", () => {
    expectArray(np.add(a, b), [
      [3, 2, 2],
      [4.5, 0, -3],
    ]);
    expectArray(np.sub(a, b), [
      [-1, -6, 4],
      [3.5, 10, -9],
    ]);
    expectArray(np.mul(a, b), [
      [2, -8, -3],
      [2, -25, -18],
    ]);
    expectArray(np.div(a, b), [
      [0.5, -0.5, -3],
      [8, -1, -2],
    ]);
    expectArray(np.pow(f64([2, 9, 4, -2]), f64([10, 0.5, -1, 3])), [1024, 3, 0.25, -8]);
    expectArray(np.maximum(a, b), [
      [2, 4, 3],
      [4, 5, 3],
    ]);
    expectArray(np.minimum(a, b), [
      [1, -2, -1],
      [0.5, -5, -6],
    ]);
    for (const r of [np.add(a, b), np.div(a, b), np.pow(a, b), np.maximum(a, b)])
      expect(r.dtype).toBe("float64");
  });

  it("keeps float64 precision (1 + 1e-12 is not rounded to float32)", () => {
    const r = np.sub(np.add(f64([1]), 1e-12), 1);
    expectValues(r, [1e-12], { rtol: 1e-4 });
  });

  it("follows IEEE rules: division by zero, NaN, and 0·inf", () => {
    expectArray(np.div(f64([1, -1, 0]), f64([0, 0, 0])), [Infinity, -Infinity, NaN]);
    expectArray(np.mul(f64([0, NaN]), f64([Infinity, 1])), [NaN, NaN]);
    expectArray(
      np.div(np.array([1, 0], { dtype: "int32" }), np.array([0, 0], { dtype: "int32" })),
      [Infinity, NaN],
      {
        dtype: "float32",
      },
    );
  });

  it("maximum and minimum propagate NaN from either side", () => {
    const x = f64([NaN, 1, NaN, 2]);
    const y = f64([1, NaN, NaN, 3]);
    expectArray(np.maximum(x, y), [NaN, NaN, NaN, 3]);
    expectArray(np.minimum(x, y), [NaN, NaN, NaN, 2]);
    expectArray(np.maximum(np.array([NaN, -1]), 0), [NaN, 0]);
  });

  it("float32 results are rounded to float32", () => {
    const r = np.add(np.array([0.1]), np.array([0.2]));
    expect(r.dtype).toBe("float32");
    expectValues(r, [Math.fround(Math.fround(0.1) + Math.fround(0.2))]);
  });

  it("integer arithmetic stays integral and wraps like NumPy's fixed-width integers", () => {
    const i = np.array([7, -7, 2147483647], { dtype: "int32" });
    expectArray(np.add(i, 1), [8, -6, -2147483648], { dtype: "int32" });
    expectArray(np.mul(i, 2), [14, -14, -2], { dtype: "int32" });
    expectArray(np.div(np.array([7, -7], { dtype: "int32" }), 2), [3.5, -3.5], { dtype: "float32" });
    expectArray(np.pow(np.array([2, 3], { dtype: "int32" }), 3), [8, 27], { dtype: "int32" });
    const u = np.array([250, 3], { dtype: "uint8" });
    expectArray(np.add(u, 10), [4, 13], { dtype: "uint8" });
    expectArray(np.sub(u, 4), [246, 255], { dtype: "uint8" });
  });

  it("throws for integer powers with negative exponents (NumPy does too)", () => {
    const i = np.array([2, 3], { dtype: "int32" });
    expectError(() => np.pow(i, -1), RangeError, "pow", "-1");
    expectError(() => np.pow(i, np.array([1, -2], { dtype: "int32" })), RangeError, "pow", "-2");
    expectArray(np.pow(np.array([2, 4]), -1), [0.5, 0.25], { dtype: "float32" });
    expectArray(np.pow(i, 0.5), [Math.fround(Math.SQRT2), Math.fround(Math.sqrt(3))], { dtype: "float32" });
  });
});

describe(`comparisons [${backendName}]`, () => {
  it("return bool arrays with hand-worked values", () => {
    const x = f64([1, 2, 3]);
    const y = f64([3, 2, 1]);
    expectArray(np.eq(x, y), [false, true, false], { dtype: "bool" });
    expectArray(np.ne(x, y), [true, false, true], { dtype: "bool" });
    expectArray(np.lt(x, y), [true, false, false], { dtype: "bool" });
    expectArray(np.le(x, y), [true, true, false], { dtype: "bool" });
    expectArray(np.gt(x, y), [false, false, true], { dtype: "bool" });
    expectArray(np.ge(x, y), [false, true, true], { dtype: "bool" });
  });

  it("treat NaN as unordered and unequal", () => {
    const n = f64([NaN, NaN]);
    const v = f64([NaN, 1]);
    expectArray(np.eq(n, v), [false, false]);
    expectArray(np.ne(n, v), [true, true]);
    for (const op of [np.lt, np.le, np.gt, np.ge]) expectArray(op(n, v), [false, false]);
  });

  it("compare across dtypes after promotion, and exactly against out-of-range scalars", () => {
    expectArray(np.eq(np.array([1, 2], { dtype: "int32" }), f64([1, 2.5])), [true, false]);
    expectArray(np.gt(np.array([true, false]), 0), [true, false]);
    const u = np.array([0, 255], { dtype: "uint8" });
    expectArray(np.lt(u, 300), [true, true], { dtype: "bool" });
    expectArray(np.gt(u, -1), [true, true]);
    expectArray(np.eq(u, 255.5), [false, false]);
    // 16777217 is not a float32, but int32 compares exactly with it.
    expectArray(np.eq(np.array([16777217], { dtype: "int32" }), 16777216), [false]);
  });
});

describe(`broadcasting [${backendName}]`, () => {
  const cases: [number[], number[]][] = [
    [[2, 3], [3]],
    [
      [2, 1],
      [1, 3],
    ],
    [
      [4, 1, 3],
      [2, 1],
    ],
    [[], [2, 2]],
    [[3], []],
    [[1], [5]],
    [[2, 0], [1]],
    [
      [2, 3, 4],
      [2, 3, 4],
    ],
  ];
  for (const [sa, sb] of cases) {
    it(`[${sa}] with [${sb}] follows NumPy's rules`, () => {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      const x = np.array(
        Array.from({ length: size(sa) }, (_, i) => i + 1),
        { dtype: "float64", shape: sa },
      );
      const y = np.array(
        Array.from({ length: size(sb) }, (_, i) => 10 * (i + 1)),
        { dtype: "float64", shape: sb },
      );
      const ref = broadcastRef(x, y, (p, q) => p - q);
      const r = np.sub(x, y);
      expect(r.shape).toEqual(ref.shape);
      expectValues(r, ref.values);
      const c = np.lt(y, x);
      expect(c.shape).toEqual(ref.shape);
      expectValues(
        c,
        ref.values.map((v) => (v > 0 ? 1 : 0)),
      );
    });
  }

  it("reads stride-0, negative-stride, transposed and offset views as kernel inputs", () => {
    const m = f64([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const rev = np.slice(m, "::-1, ::-1"); // negative strides
    const tr = np.transpose(m); // non-contiguous
    const col = np.broadcastTo(np.slice(m, ":, 1:2"), [3, 3]); // stride 0 along axis 1, offset 1
    expect(rev.strides).toEqual([-3, -1]);
    expect(col.strides).toEqual([3, 0]);
    expectArray(np.add(rev, tr), [
      [9 + 1, 8 + 4, 7 + 7],
      [6 + 2, 5 + 5, 4 + 8],
      [3 + 3, 2 + 6, 1 + 9],
    ]);
    expectArray(np.mul(col, rev), [
      [2 * 9, 2 * 8, 2 * 7],
      [5 * 6, 5 * 5, 5 * 4],
      [8 * 3, 8 * 2, 8 * 1],
    ]);
    expectArray(np.maximum(np.slice(m, "1:, ::2"), np.slice(m, "0, ::-2")), [
      [4, 6],
      [7, 9],
    ]);
    expectArray(np.eq(tr, m), [
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it("throws naming the op and both shapes when shapes do not broadcast", () => {
    expectError(() => np.add(np.zeros([2, 3]), np.zeros([4])), np.ShapeError, "add", "[2, 3]", "[4]");
    expectError(() => np.lt(np.zeros([2, 3]), np.zeros([3, 2])), np.ShapeError, "lt", "[2, 3]", "[3, 2]");
    expectError(() => np.pow(np.zeros([5]), np.zeros([2, 4])), np.ShapeError, "pow", "[5]", "[2, 4]");
  });
});

describe(`dtype promotion [${backendName}]`, () => {
  const dtypes: np.DType[] = ["bool", "uint8", "int32", "float32", "float64"];
  // The documented order bool < uint8 < int32 < float32 < float64: the wider dtype wins.
  const expected: Record<string, np.DType> = {
    "bool,bool": "int32", // arithmetic on bools counts
    "bool,uint8": "uint8",
    "bool,int32": "int32",
    "bool,float32": "float32",
    "bool,float64": "float64",
    "uint8,uint8": "uint8",
    "uint8,int32": "int32",
    "uint8,float32": "float32",
    "uint8,float64": "float64",
    "int32,int32": "int32",
    "int32,float32": "float32",
    "int32,float64": "float64",
    "float32,float32": "float32",
    "float32,float64": "float64",
    "float64,float64": "float64",
  };

  it("add promotes every pair as documented, symmetrically", () => {
    for (const [i, da] of dtypes.entries()) {
      for (const db of dtypes.slice(i)) {
        const x = np.ones([2], da);
        const y = np.ones([2], db);
        const want = expected[`${da},${db}`]!;
        expect(np.add(x, y).dtype, `${da} + ${db}`).toBe(want);
        expect(np.add(y, x).dtype, `${db} + ${da}`).toBe(want);
        expectValues(np.add(x, y), [2, 2]);
        expect(np.eq(x, y).dtype).toBe("bool");
      }
    }
  });

  it("div gives float32 for integer inputs, keeps float64", () => {
    expect(np.div(np.ones([1], "int32"), np.ones([1], "uint8")).dtype).toBe("float32");
    expect(np.div(np.ones([1], "bool"), np.ones([1], "bool")).dtype).toBe("float32");
    expect(np.div(np.ones([1], "int32"), np.ones([1], "float64")).dtype).toBe("float64");
  });

  it("maximum/minimum of bools stay bool", () => {
    expectArray(np.maximum(np.array([true, false]), np.array([false, false])), [true, false], {
      dtype: "bool",
    });
  });

  it("treats JS numbers as weak scalars that adopt the array's dtype", () => {
    expect(np.add(np.ones([1], "float32"), 1.5).dtype).toBe("float32");
    expect(np.add(np.ones([1], "float64"), 1).dtype).toBe("float64");
    expect(np.add(np.ones([1], "int32"), 2).dtype).toBe("int32");
    expect(np.add(np.ones([1], "uint8"), 2).dtype).toBe("uint8");
    expect(np.add(np.ones([1], "int32"), 2.5).dtype).toBe("float32");
    expect(np.add(np.ones([1], "bool"), 1).dtype).toBe("int32");
    expect(np.mul(3, np.ones([1], "float64")).dtype).toBe("float64");
    expect(np.maximum(np.ones([1], "bool"), true).dtype).toBe("bool");
    expectArray(np.add(np.array([1, 2], { dtype: "int32" }), 2.5), [3.5, 4.5], { dtype: "float32" });
    const s = np.add(1, 2);
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe("float32");
    expect(s.item()).toBe(3);
  });

  it("rejects a scalar the integer dtype cannot hold, naming op, value and dtype", () => {
    expectError(() => np.add(np.ones([2], "uint8"), 300), RangeError, "add", "300", "uint8");
    expectError(() => np.sub(np.ones([2], "uint8"), -1), RangeError, "sub", "-1", "uint8");
    expectError(() => np.mul(np.ones([2], "int32"), 2 ** 40), RangeError, "mul", String(2 ** 40), "int32");
  });

  it("rejects operands that are not arrays or numbers, naming the op", () => {
    const x = np.ones([2]);
    expectError(() => np.add(x, "1" as never), TypeError, "add", "string");
    expectError(() => np.mul(x, [1, 2] as never), TypeError, "mul", "JS array");
    expectError(() => np.lt(x, null as never), TypeError, "lt", "null");
  });
});

describe(`binary methods [${backendName}]`, () => {
  it("mirror the functions", () => {
    const x = f64([1, 2]);
    expectArray(x.add(1).mul(x).sub(2).div(2), [0, 2]);
    expectArray(x.pow(2).maximum(3).minimum(3.5), [3, 3.5]);
    expectArray(x.gt(1), [false, true]);
    expectArray(x.le(1), [true, false]);
  });
});
