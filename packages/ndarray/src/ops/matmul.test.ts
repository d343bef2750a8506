import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError, expectValues, randomValues, rng, values } from "../testing/helpers";
import { matmulRef } from "../testing/reference";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const next = rng(2024);
const rand = (shape: number[], dtype: np.DType = "float64") =>
  np.array(
    randomValues(
      next,
      shape.reduce((a, b) => a * b, 1),
    ),
    { dtype, shape },
  );

/** Checks a 2-D product against the triple loop on the operands' values (read through strides). */
function checkProduct(a: np.NDArray, b: np.NDArray, rtol = 1e-12) {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = np.matmul(a, b);
  expect(c.shape).toEqual([m, n]);
  expectValues(c, matmulRef(values(a), values(b), m, k, n), { rtol, atol: rtol * Math.sqrt(k) });
}

describe(`matmul [${backendName}]`, () => {
  it("matches a hand-worked 2×3 · 3×2 product", () => {
    const a = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = f64([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expectArray(
      np.matmul(a, b),
      [
        [58, 64],
        [139, 154],
      ],
      { dtype: "float64" },
    );
    expectArray(a.matmul(b), [
      [58, 64],
      [139, 154],
    ]);
  });

  it("agrees with the triple loop for sizes around and off the block sizes", () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 2],
      [4, 4, 4],
      [5, 7, 9],
      [33, 17, 31],
      [64, 64, 64],
      [130, 70, 129],
      [67, 300, 5],
      [5, 260, 70],
      [8, 40, 520], // wider than one column panel
    ];
    for (const [m, k, n] of sizes) checkProduct(rand([m, k]), rand([k, n]));
  });

  it("reads transposed, reversed, sliced and broadcast operands without copying them first", () => {
    const a = rand([70, 130]);
    const b = rand([129, 70]);
    checkProduct(np.transpose(a), np.transpose(b)); // 130×70 · 70×129, both column-major
    checkProduct(np.slice(np.transpose(a), "::-1"), np.slice(rand([70, 60]), ":, ::-2"));
    checkProduct(np.slice(rand([50, 40]), "1::2, 3:"), np.slice(rand([40, 40]), "3:, ::3"));
    const row = np.broadcastTo(rand([1, 9]), [20, 9]); // stride 0 between rows
    checkProduct(row, rand([9, 11]));
    checkProduct(rand([6, 20]), np.broadcastTo(rand([20, 1]), [20, 7]));
  });

  it("handles 1-D operands as NumPy: vector·vector is 0-D, matrix·vector drops the axis", () => {
    const v = f64([1, 2, 3]);
    const m = f64([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    expectArray(np.matmul(v, v), 14);
    expectArray(np.matmul(m, v), [-2, 4]);
    expectArray(np.matmul(f64([1, -1]), m), [-1, -1, -1]);
    const batch = f64([[[1, 2, 3]], [[0, 1, 0]]]); // [2, 1, 3]
    expectArray(np.matmul(batch, v), [[14], [2]]);
    expectArray(np.matmul(v, np.transpose(batch, [0, 2, 1])), [[14], [2]]);
  });

  it("broadcasts batch dimensions", () => {
    const a = rand([2, 1, 3, 4]);
    const b = rand([5, 4, 2]);
    const c = np.matmul(a, b);
    expect(c.shape).toEqual([2, 5, 3, 2]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 5; j++) {
        const ref = matmulRef(values(np.slice(a, [i, 0])), values(np.slice(b, [j])), 3, 4, 2);
        expectValues(np.slice(c, [i, j]), ref, { rtol: 1e-12 });
      }
    const m = rand([4, 3]);
    const bm = np.matmul(rand([7, 2, 4]), m);
    expect(bm.shape).toEqual([7, 2, 3]);
  });

  it("computes float32 in float32, close to the float64 result", () => {
    const a64 = rand([37, 129]);
    const b64 = rand([129, 41]);
    const a32 = np.cast(a64, "float32");
    const b32 = np.cast(b64, "float32");
    const c = np.matmul(a32, b32);
    expect(c.dtype).toBe("float32");
    const ref = matmulRef(values(a32), values(b32), 37, 129, 41);
    expectValues(c, ref, { rtol: 1e-5, atol: 1e-5 });
  });

  it("is exact for integers, promotes mixed dtypes, and gives bool for bool", () => {
    const a = np.array(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "int32" },
    );
    expectArray(
      np.matmul(a, a),
      [
        [7, 10],
        [15, 22],
      ],
      { dtype: "int32" },
    );
    expect(np.matmul(a, f64([[1], [1]])).dtype).toBe("float64");
    const b = np.array([
      [true, false],
      [true, true],
    ]);
    expectArray(
      np.matmul(b, b),
      [
        [true, false],
        [true, true],
      ],
      { dtype: "bool" },
    );
    // 512 true products must not wrap around a byte into "false".
    expectArray(np.matmul(np.ones([1, 512], "bool"), np.ones([512, 1], "bool")), [[true]]);
  });

  it("propagates NaN and inf (no zero-skipping shortcuts)", () => {
    expectArray(np.matmul(f64([[0, 1]]), f64([[Infinity], [1]])), [[NaN]]);
    expectArray(np.matmul(f64([[NaN, 0]]), f64([[0], [1]])), [[NaN]]);
    const big = np.matmul(np.zeros([40, 40], "float64"), np.full([40, 40], NaN, "float64"));
    expect(values(big).every(Number.isNaN)).toBe(true);
  });

  it("handles empty dimensions: k = 0 gives zeros", () => {
    expectArray(np.matmul(np.zeros([2, 0]), np.zeros([0, 3])), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(np.matmul(np.zeros([0, 4]), np.zeros([4, 3])).shape).toEqual([0, 3]);
  });

  it("throws naming matmul and the shapes", () => {
    expectError(
      () => np.matmul(np.zeros([2, 3]), np.zeros([4, 5])),
      np.ShapeError,
      "matmul",
      "[2, 3]",
      "[4, 5]",
    );
    expectError(() => np.matmul(np.zeros([3]), np.zeros([4])), np.ShapeError, "matmul", "[3]", "[4]");
    expectError(() => np.matmul(np.zeros([]), np.zeros([4])), np.ShapeError, "matmul", "[]");
    expectError(
      () => np.matmul(np.zeros([2, 2, 3]), np.zeros([3, 3, 1])),
      np.ShapeError,
      "matmul",
      "[2]",
      "[3]",
      "[2, 2, 3]", // both operands' full shapes, not only their batch axes
      "[3, 3, 1]",
    );
  });
});

describe(`dot and outer [${backendName}]`, () => {
  it("dot is the inner product for vectors, matmul for matrices, a product for scalars", () => {
    expectArray(np.dot(f64([1, 2, 3]), f64([4, 5, 6])), 32);
    expectArray(np.dot(f64([[1, 2]]), f64([[3], [4]])), [[11]]);
    expectArray(np.dot(f64(2), f64([1, 2])), [2, 4]);
    expectArray(f64([1, 1]).dot(f64([2, 3])), 5);
  });

  it("outer flattens its inputs", () => {
    expectArray(np.outer(f64([1, 2]), f64([[3, 4, 5]])), [
      [3, 4, 5],
      [6, 8, 10],
    ]);
  });
});

describe(`matmulAccumulate [${backendName}]`, () => {
  it("adds alpha·(a @ b) in place, equal to the float64 triple loop", () => {
    const a = rand([5, 3]);
    const b = rand([3, 7]);
    const out = rand([5, 7]);
    const before = values(out);
    const ref = matmulRef(values(a), values(b), 5, 3, 7);
    np.matmulAccumulate(out, a, b, -0.25);
    expectValues(
      out,
      ref.map((p, i) => before[i]! - 0.25 * p),
      { rtol: 1e-14, atol: 1e-14 },
    );
  });

  it("is bit-identical to round(out + alpha·matmul(a, b)) for small float32 products and views", () => {
    for (const [m, k, n] of [
      [1, 1, 50],
      [25, 1, 50],
      [7, 9, 6],
      [3, 32, 5],
    ] as const) {
      const a = np.transpose(rand([k, m], "float32"));
      const b = np.slice(rand([k, n + 2], "float32"), `:, 1:${n + 1}`);
      const out = rand([m, n], "float32");
      const product = np.matmul(a, b).dataSync();
      // One rounding to float32 of the float64 sum, as θ − lr·g stored once.
      const expected = Array.from(out.dataSync(), (o, i) => Math.fround(o - 0.01 * product[i]!));
      np.matmulAccumulate(out, a, b, -0.01);
      expect(Array.from(out.dataSync())).toEqual(expected);
    }
  });

  it("throws naming matmulAccumulate and the shapes", () => {
    expectError(
      () => np.matmulAccumulate(rand([2, 2]), rand([2, 3]), rand([4, 2])),
      np.ShapeError,
      "matmulAccumulate",
      "[2, 3]",
      "[4, 2]",
    );
    expectError(
      () => np.matmulAccumulate(rand([2, 2], "float32"), rand([2, 2]), rand([2, 2])),
      TypeError,
      "matmulAccumulate",
      "float32",
    );
    expectError(
      () => np.matmulAccumulate(np.transpose(rand([3, 2])), rand([2, 2]), rand([2, 3])),
      TypeError,
      "contiguous",
    );
  });
});
