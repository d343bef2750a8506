// BLAS-style GEMM over caller typed arrays: C = alpha·op(A)·op(B) + beta·C, row-major,
// with op(X) = Xᵀ when transX. Operands are read in place when they are resident in wasm memory
// and copied in otherwise, with their strides intact (the packing step in assembly/gemm.ts absorbs
// transposes); C is written in place or copied back element-exactly, so gaps between rows of a
// strided C are never touched.
import { type Dtype, type FloatArray, checkCount, dtypeOf, elementBytes } from "./dtype";
import { plan, runSplit, tile, type Placed } from "./gemm-split";
import { poolFor } from "./threads/index";
import {
  copied,
  copyIn,
  overlaps,
  placeInput,
  range,
  residentPtr,
  type Range,
  type Target,
} from "./wasm/resident";
import { type Arena, type Runtime, freshArena } from "./wasm/runtime";
import { view } from "./wasm/views";

/** Elements a row-major rows×cols operand with leading dimension ld spans. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

interface Operand {
  name: string;
  array: FloatArray;
  offset: number;
  ld: number;
  stride: number;
  rows: number;
  cols: number;
}

function batchSpan(op: Operand, batch: number): number {
  const one = span(op.rows, op.cols, op.ld);
  return one === 0 ? 0 : (batch - 1) * op.stride + one;
}

function checkOperand(op: Operand, dtype: Dtype, batch: number): void {
  if (dtypeOf(op.array, op.name) !== dtype) throw new TypeError(`${op.name} must be a ${dtype} array`);
  checkCount(`offset of ${op.name}`, op.offset);
  checkCount(`stride of ${op.name}`, op.stride);
  if (!Number.isInteger(op.ld) || op.ld < Math.max(1, op.cols)) {
    throw new RangeError(
      `leading dimension of ${op.name} must be an integer ≥ ${Math.max(1, op.cols)}, got ${op.ld}`,
    );
  }
  const end = op.offset + batchSpan(op, batch);
  if (end > op.array.length) {
    throw new RangeError(
      `${op.name} needs ${end} elements from its offset layout, but has ${op.array.length}`,
    );
  }
}

interface Problem {
  dtype: Dtype;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  batch: number;
  A: Operand;
  B: Operand;
  C: Operand;
}

/** C = beta·C on the m×n entries only (k = 0 or alpha = 0); beta = 0 writes zeros without reading C. */
function scaleC(p: Problem, beta: number): void {
  const { array, offset, ld, stride } = p.C;
  for (let t = 0; t < p.batch; t++) {
    for (let i = 0; i < p.m; i++) {
      const row = offset + t * stride + i * ld;
      if (beta === 0) array.fill(0, row, row + p.n);
      else if (beta !== 1) for (let j = row; j < row + p.n; j++) array[j]! *= beta;
    }
  }
}

function copyOutC(rt: Runtime, p: Problem, ptr: number, total: number): void {
  const { array: dst, offset, ld, stride } = p.C;
  const src = view(rt, p.dtype, ptr, total);
  copied.bytesOut += p.batch * p.m * p.n * elementBytes(p.dtype);
  if (ld === p.n && (p.batch === 1 || stride === p.m * p.n)) {
    dst.set(src.subarray(0, p.batch * p.m * p.n), offset);
    return;
  }
  for (let t = 0; t < p.batch; t++) {
    for (let i = 0; i < p.m; i++) {
      const row = t * stride + i * ld;
      dst.set(src.subarray(row, row + p.n), offset + row);
    }
  }
}

/** C in place when resident (and apart from A and B), else in the arena and copied back element-exactly. */
function placeC(arena: Arena, p: Problem, spanC: number, reads: Range[], beta: number): Target {
  const C = p.C.array;
  const at = residentPtr(arena.rt, C, p.C.offset, spanC);
  const own = range(C, at, spanC);
  if (at >= 0 && !reads.some((r) => overlaps(r, own))) {
    return { ptr: at, finish: () => undefined };
  }
  const ptr = arena.alloc(spanC * elementBytes(p.dtype));
  if (beta !== 0) copyIn(arena.rt, ptr, C, p.C.offset, spanC);
  return { ptr, finish: () => copyOutC(arena.rt, p, ptr, spanC) };
}

function run(p: Problem, alpha: number, beta: number): void {
  const { m, n, k, batch } = p;
  if (m === 0 || n === 0 || batch === 0) return;
  if (k === 0 || alpha === 0) {
    scaleC(p, beta);
    return;
  }
  const pool = poolFor(2 * m * n * k * batch);
  const arena = freshArena();
  const rt = arena.rt;
  const split = pool && plan(m, n, k, batch, pool.size + 1, tile(p.dtype, rt.relaxed));

  const ex = rt.exports;
  const spanA = batchSpan(p.A, batch);
  const spanB = batchSpan(p.B, batch);
  const a = placeInput(arena, p.A.array, p.A.offset, spanA);
  const b = placeInput(arena, p.B.array, p.B.offset, spanB);
  const reads = [range(p.A.array, a, spanA), range(p.B.array, b, spanB)];
  const c = placeC(arena, p, batchSpan(p.C, batch), reads, beta);
  const placed: Placed = {
    dtype: p.dtype,
    transA: p.transA,
    transB: p.transB,
    m,
    n,
    k,
    alpha,
    beta,
    a,
    lda: p.A.ld,
    b,
    ldb: p.B.ld,
    c: c.ptr,
    ldc: p.C.ld,
    strideA: p.A.stride,
    strideB: p.B.stride,
    strideC: p.C.stride,
  };
  if (pool && split) runSplit(pool, arena, placed, split);
  else {
    const scratch = arena.alloc((p.dtype === "float32" ? ex.gemmScratchF32 : ex.gemmScratchF64)(m, n, k));
    const kernel = p.dtype === "float32" ? ex.gemmBatchedF32 : ex.gemmBatchedF64;
    kernel(
      +p.transA,
      +p.transB,
      m,
      n,
      k,
      alpha,
      a,
      p.A.ld,
      b,
      p.B.ld,
      beta,
      c.ptr,
      p.C.ld,
      batch,
      p.A.stride,
      p.B.stride,
      p.C.stride,
      scratch,
    );
  }
  c.finish();
}

function problem(
  dtype: Dtype,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  batch: number,
  A: FloatArray,
  offA: number,
  lda: number,
  strideA: number,
  B: FloatArray,
  offB: number,
  ldb: number,
  strideB: number,
  C: FloatArray,
  offC: number,
  ldc: number,
  strideC: number,
): Problem {
  if (dtype !== "float32" && dtype !== "float64") throw new TypeError(`unsupported dtype ${String(dtype)}`);
  for (const [name, value] of [
    ["m", m],
    ["n", n],
    ["k", k],
    ["batch", batch],
  ] as const) {
    checkCount(name, value);
  }
  const p: Problem = {
    dtype,
    transA,
    transB,
    m,
    n,
    k,
    batch,
    A: {
      name: "A",
      array: A,
      offset: offA,
      ld: lda,
      stride: strideA,
      rows: transA ? k : m,
      cols: transA ? m : k,
    },
    B: {
      name: "B",
      array: B,
      offset: offB,
      ld: ldb,
      stride: strideB,
      rows: transB ? n : k,
      cols: transB ? k : n,
    },
    C: { name: "C", array: C, offset: offC, ld: ldc, stride: strideC, rows: m, cols: n },
  };
  checkOperand(p.A, dtype, batch);
  checkOperand(p.B, dtype, batch);
  checkOperand(p.C, dtype, batch);
  return p;
}

/**
 * C[offC + i·ldc + j] = alpha·Σ_p op(A)[i,p]·op(B)[p,j] + beta·C[...] for i < m, j < n.
 * op(A) is m×k: A[offA + i·lda + p], or A[offA + p·lda + i] when transA (likewise B, k×n).
 * alpha defaults to 1, beta to 0; with beta = 0 the old C is never read (NaNs in C vanish).
 * Large problems run on worker threads once `initThreads()` has resolved.
 */
export function gemm(
  dtype: Dtype,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number | undefined,
  A: FloatArray,
  offA: number,
  lda: number,
  B: FloatArray,
  offB: number,
  ldb: number,
  beta: number | undefined,
  C: FloatArray,
  offC: number,
  ldc: number,
): void {
  const p = problem(dtype, transA, transB, m, n, k, 1, A, offA, lda, 0, B, offB, ldb, 0, C, offC, ldc, 0);
  run(p, alpha ?? 1, beta ?? 0);
}

/**
 * `batch` independent GEMMs; item t uses A at offA + t·strideA, B at offB + t·strideB and C at
 * offC + t·strideC (all in elements). strideB = 0 shares one B (e.g. weights) across the batch.
 */
export function gemmBatched(
  dtype: Dtype,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number | undefined,
  A: FloatArray,
  offA: number,
  lda: number,
  B: FloatArray,
  offB: number,
  ldb: number,
  beta: number | undefined,
  C: FloatArray,
  offC: number,
  ldc: number,
  batch: number,
  strideA: number,
  strideB: number,
  strideC: number,
): void {
  const p = problem(
    dtype,
    transA,
    transB,
    m,
    n,
    k,
    batch,
    A,
    offA,
    lda,
    strideA,
    B,
    offB,
    ldb,
    strideB,
    C,
    offC,
    ldc,
    strideC,
  );
  run(p, alpha ?? 1, beta ?? 0);
}

/** Convenience: out[m×n] = a[m×k] · b[k×n], dense row-major, dtype taken from `a`. */
export function matmul<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, out?: T): T {
  const dtype = dtypeOf(a, "a");
  const c = out ?? ((dtype === "float32" ? new Float32Array(m * n) : new Float64Array(m * n)) as T);
  gemm(dtype, false, false, m, n, k, 1, a, 0, Math.max(1, k), b, 0, Math.max(1, n), 0, c, 0, Math.max(1, n));
  return c;
}
