// A GEMM cut into units that threads claim one at a time (src/threads/pool.ts): a thread that gets
// less CPU simply claims fewer units. The job is a struct in wasm memory, written by src/gemm-split.ts:
//
//   i32 at 0: transA, transB, m, n, k, lda, ldb, ldc, a, b, c, packedA, packedB, mode, unit,
//             strideA, strideB, strideC (pointers and strides: bytes / elements as in gemmBatched)
//   f64 at 72: alpha, beta
//
// mode 0: unit u is C's rows [u·unit, (u+1)·unit), all of op(B) packed once beforehand (packedB);
// mode 1: unit u is C's columns [u·unit, …), all of alpha·op(A) packed once (packedA);
// mode 2: unit u is batch item u, packed by the unit itself.
import { at, gemmBlock, packAllA, packAllB, packedABytes, packedBBytes } from "./gemm";

const ROWS = 0;
const COLS = 1;

function field(job: usize, index: i32): i32 {
  return load<i32>(job + ((<usize>index) << 2));
}

function gemmUnit<T>(job: usize, u: i32, scratch: usize): void {
  const transA = field(job, 0);
  const transB = field(job, 1);
  const m = field(job, 2);
  const n = field(job, 3);
  const k = field(job, 4);
  const lda = field(job, 5);
  const ldb = field(job, 6);
  const ldc = field(job, 7);
  let a = <usize>field(job, 8);
  let b = <usize>field(job, 9);
  let c = <usize>field(job, 10);
  const mode = field(job, 13);
  const unit = field(job, 14);
  const alpha = <T>load<f64>(job + 72);
  const beta = <T>load<f64>(job + 80);
  // The unit's block of C, and the operand packed up front for every unit (0: the unit packs its own).
  let i0 = 0;
  let i1 = m;
  let j0 = 0;
  let j1 = n;
  let pa: usize = 0;
  let pb: usize = 0;
  if (mode == ROWS) {
    i0 = u * unit;
    i1 = min(m, i0 + unit);
    pb = <usize>field(job, 12);
  } else if (mode == COLS) {
    j0 = u * unit;
    j1 = min(n, j0 + unit);
    pa = <usize>field(job, 11);
  } else {
    a = at<T>(a, u * field(job, 15));
    b = at<T>(b, u * field(job, 16));
    c = at<T>(c, u * field(job, 17));
  }
  gemmBlock<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pa, pb, i0, i1, j0, j1, scratch);
}

export function gemmUnitF32(job: usize, u: i32, scratch: usize): void {
  gemmUnit<f32>(job, u, scratch);
}

export function gemmUnitF64(job: usize, u: i32, scratch: usize): void {
  gemmUnit<f64>(job, u, scratch);
}

export function gemmPackedABytesF32(m: i32, k: i32): i32 {
  return packedABytes<f32>(m, k);
}

export function gemmPackedABytesF64(m: i32, k: i32): i32 {
  return packedABytes<f64>(m, k);
}

export function gemmPackedBBytesF32(n: i32, k: i32): i32 {
  return packedBBytes<f32>(n, k);
}

export function gemmPackedBBytesF64(n: i32, k: i32): i32 {
  return packedBBytes<f64>(n, k);
}

export function gemmPackAF32(transA: i32, m: i32, k: i32, alpha: f32, a: usize, lda: i32, dst: usize): void {
  packAllA<f32>(transA, m, k, alpha, a, lda, dst);
}

export function gemmPackAF64(transA: i32, m: i32, k: i32, alpha: f64, a: usize, lda: i32, dst: usize): void {
  packAllA<f64>(transA, m, k, alpha, a, lda, dst);
}

export function gemmPackBF32(transB: i32, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  packAllB<f32>(transB, n, k, b, ldb, dst);
}

export function gemmPackBF64(transB: i32, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  packAllB<f64>(transB, n, k, b, ldb, dst);
}
