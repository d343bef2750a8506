// Reference check for GEMM, shared by gemm.test.ts and relaxed.test.ts (not exported from index.ts).
import { gemm, gemmBatched } from "./gemm";
import type { Dtype, FloatArray } from "./dtype";
import { randomArray } from "./test-helpers";

export interface Case {
  dtype: Dtype;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha?: number;
  beta?: number;
  offA?: number;
  offB?: number;
  offC?: number;
  padA?: number;
  padB?: number;
  padC?: number;
  batch?: number;
  strideB0?: boolean;
}

/**
 * Naive triple loop in float64 over the same layout. Also returns, per C element,
 * Σ|alpha·a·b| + |beta·c|, the scale rounding errors are proportional to.
 */
function reference(
  c: Required<Case>,
  A: FloatArray,
  B: FloatArray,
  C: FloatArray,
  lds: number[],
  strides: number[],
) {
  const [lda, ldb, ldc] = lds as [number, number, number];
  const [sA, sB, sC] = strides as [number, number, number];
  const out = Float64Array.from(C);
  const scale = new Float64Array(C.length);
  for (let t = 0; t < c.batch; t++) {
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < c.n; j++) {
        let s = 0;
        let mag = 0;
        for (let p = 0; p < c.k; p++) {
          const a = A[c.offA + t * sA + (c.transA ? p * lda + i : i * lda + p)]!;
          const b = B[c.offB + t * sB + (c.transB ? j * ldb + p : p * ldb + j)]!;
          s += a * b;
          mag += Math.abs(a * b);
        }
        const idx = c.offC + t * sC + i * ldc + j;
        const old = c.beta === 0 ? 0 : c.beta * C[idx]!;
        out[idx] = c.alpha * s + old;
        scale[idx] = Math.abs(c.alpha) * mag + Math.abs(old);
      }
    }
  }
  return { out, scale };
}

let seed = 1;

/** Runs gemm/gemmBatched on random data for `spec` and throws on any element outside the bound. */
export function checkGemm(spec: Case): void {
  const c: Required<Case> = {
    alpha: 1,
    beta: 0,
    offA: 0,
    offB: 0,
    offC: 0,
    padA: 0,
    padB: 0,
    padC: 0,
    batch: 1,
    strideB0: false,
    ...spec,
  };
  const ctor = c.dtype === "float32" ? Float32Array : Float64Array;
  const [aRows, aCols] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const lda = Math.max(1, aCols + c.padA);
  const ldb = Math.max(1, bCols + c.padB);
  const ldc = Math.max(1, c.n + c.padC);
  // A little slack between batch items, so strides are not just the packed sizes.
  const sA = aRows * lda + 3;
  const sB = c.strideB0 ? 0 : bRows * ldb + 1;
  const sC = c.m * ldc + 2;
  const A = randomArray(ctor, c.offA + c.batch * sA, seed++);
  const B = randomArray(ctor, c.offB + c.batch * Math.max(sB, bRows * ldb), seed++);
  const C = randomArray(ctor, c.offC + c.batch * sC, seed++);
  const before = C.slice();
  const { out, scale } = reference(c, A, B, C, [lda, ldb, ldc], [sA, sB, sC]);
  if (c.batch === 1 && !spec.batch) {
    gemm(
      c.dtype,
      c.transA,
      c.transB,
      c.m,
      c.n,
      c.k,
      c.alpha,
      A,
      c.offA,
      lda,
      B,
      c.offB,
      ldb,
      c.beta,
      C,
      c.offC,
      ldc,
    );
  } else {
    gemmBatched(
      c.dtype,
      c.transA,
      c.transB,
      c.m,
      c.n,
      c.k,
      c.alpha,
      A,
      c.offA,
      lda,
      B,
      c.offB,
      ldb,
      c.beta,
      C,
      c.offC,
      ldc,
      c.batch,
      sA,
      sB,
      sC,
    );
  }
  const eps = c.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  // Blocked summation error grows far slower than k·eps in practice; 4·sqrt(k)+8 is generous but tight enough.
  const tol = (4 * Math.sqrt(c.k) + 8) * eps;
  for (let i = 0; i < C.length; i++) {
    const expected = c.dtype === "float32" ? Math.fround(out[i]!) : out[i]!;
    const err = Math.abs(C[i]! - expected);
    if (!(err <= tol * scale[i]! + (c.dtype === "float32" ? 1e-30 : 0))) {
      // Outside the m×n blocks nothing may change at all (scale is 0 there).
      throw new Error(
        `${JSON.stringify(spec)}: C[${i}] = ${C[i]}, expected ${expected} (was ${before[i]}), err ${err}, bound ${tol * scale[i]!}`,
      );
    }
  }
}
