import { describe, expect, it } from "vitest";
import { gemm, gemmBatched, matmul } from "./index";
import { checkGemm as check } from "./gemm-check";
import { randomArray, rng } from "./test-helpers";

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 4],
  [3, 5, 7],
  [4, 8, 1],
  [8, 8, 8],
  [9, 17, 5],
  [17, 33, 9],
  [33, 17, 300],
  [64, 64, 64],
  [128, 64, 96],
  [130, 70, 260],
  [6, 1030, 7],
  [13, 26, 785], // uneven k blocks (KC = 384: 3 × 262)
];

describe.each(["float32", "float64"] as const)("gemm %s", (dtype) => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the reference for all shapes, transA=${transA} transB=${transB}`, () => {
        for (const [m, n, k] of shapes) check({ dtype, transA, transB, m, n, k });
      });
    }
  }

  it("honours offsets and padded leading dimensions", () => {
    for (const [m, n, k] of [
      [3, 5, 7],
      [17, 33, 9],
      [40, 24, 70],
    ] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          check({ dtype, transA, transB, m, n, k, offA: 5, offB: 3, offC: 7, padA: 3, padB: 5, padC: 2 });
        }
      }
    }
  });

  it("applies alpha and beta", () => {
    for (const [alpha, beta] of [
      [2.5, 0],
      [1, 1],
      [-0.5, 0.75],
      [1, -2],
    ] as const) {
      check({ dtype, transA: false, transB: false, m: 19, n: 21, k: 23, alpha, beta, padC: 3 });
      check({ dtype, transA: true, transB: true, m: 7, n: 13, k: 300, alpha, beta, offC: 2 });
    }
  });

  it("runs batches with independent strides and a shared B", () => {
    check({ dtype, transA: false, transB: false, m: 9, n: 11, k: 13, batch: 4 });
    check({ dtype, transA: true, transB: false, m: 16, n: 8, k: 5, batch: 3, alpha: 0.5, beta: 2, padC: 1 });
    check({ dtype, transA: false, transB: true, m: 6, n: 10, k: 20, batch: 5, strideB0: true, padA: 2 });
    check({ dtype, transA: false, transB: false, m: 3, n: 3, k: 3, batch: 1 });
  });

  it("with beta = 0 never reads C, so NaN in C is overwritten", () => {
    const ctor = dtype === "float32" ? Float32Array : Float64Array;
    const A = randomArray(ctor, 6, 11);
    const B = randomArray(ctor, 6, 12);
    const C = new ctor(4).fill(NaN);
    gemm(dtype, false, false, 2, 2, 3, undefined, A, 0, 3, B, 0, 2, undefined, C, 0, 2);
    for (const x of C) expect(Number.isNaN(x)).toBe(false);
  });

  it("handles k = 0 and alpha = 0 as a pure scaling of C", () => {
    const ctor = dtype === "float32" ? Float32Array : Float64Array;
    const C = ctor.from([1, 2, 3, 4, 5, 6]);
    gemm(dtype, false, false, 2, 2, 0, 1, new ctor(0), 0, 1, new ctor(0), 0, 2, 3, C, 0, 3);
    expect(Array.from(C)).toEqual([3, 6, 3, 12, 15, 6]);
    gemm(dtype, false, false, 2, 2, 2, 0, new ctor(4).fill(NaN), 0, 2, new ctor(4), 0, 2, 0, C, 0, 3);
    expect(Array.from(C)).toEqual([0, 0, 3, 0, 0, 6]);
    gemm(dtype, false, false, 0, 5, 5, 1, new ctor(0), 0, 5, new ctor(25), 0, 5, 0, C, 0, 5);
  });

  it("validates dtypes, dimensions and bounds", () => {
    const ctor = dtype === "float32" ? Float32Array : Float64Array;
    const other = dtype === "float32" ? Float64Array : Float32Array;
    const x = new ctor(16);
    expect(() => gemm(dtype, false, false, 4, 4, 4, 1, new other(16), 0, 4, x, 0, 4, 0, x, 0, 4)).toThrow(
      TypeError,
    );
    expect(() => gemm(dtype, false, false, 4, 4, 4, 1, x, 0, 3, x, 0, 4, 0, new ctor(16), 0, 4)).toThrow(
      RangeError,
    );
    expect(() => gemm(dtype, false, false, 4, 4, 4, 1, x, 1, 4, x, 0, 4, 0, new ctor(16), 0, 4)).toThrow(
      RangeError,
    );
    expect(() => gemm(dtype, false, false, -1, 4, 4, 1, x, 0, 4, x, 0, 4, 0, new ctor(16), 0, 4)).toThrow(
      RangeError,
    );
  });
});

describe("gemmBatched", () => {
  it("does nothing for batch = 0 and bounds-checks the whole batch layout", () => {
    const x = new Float32Array(8).fill(1);
    const c = new Float32Array(8).fill(7);
    gemmBatched("float32", false, false, 2, 2, 2, 1, x, 0, 2, x, 0, 2, 0, c, 0, 2, 0, 4, 4, 4);
    expect(Array.from(c)).toEqual(new Array(8).fill(7));
    gemmBatched("float32", false, false, 2, 2, 2, 1, x, 0, 2, x, 0, 2, 0, c, 0, 2, 2, 4, 0, 4);
    expect(Array.from(c)).toEqual(new Array(8).fill(2));
    expect(() =>
      gemmBatched("float32", false, false, 2, 2, 2, 1, x, 0, 2, x, 0, 2, 0, c, 0, 2, 3, 0, 0, 4),
    ).toThrow(RangeError);
  });
});

describe("matmul", () => {
  it("is a dense convenience over gemm", () => {
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from([7, 8, 9, 10, 11, 12]);
    expect(Array.from(matmul(a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
    const r = rng(5);
    const a32 = Float32Array.from({ length: 12 }, () => r());
    const out = new Float32Array(9);
    expect(matmul(a32, a32.slice(), 3, 4, 3, out)).toBe(out);
  });
});
