import { isFloat, promote } from "../dtype";
import { run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { broadcastShapes, sizeOf } from "../shape";
import { gt, mul } from "./binary";
import { cast } from "./cast";
import { broadcastTo, mT, reshape } from "./views";

type TA = NDArray["buffer"];

/**
 * The reference GEMM: C[m×n] += A[m×k]·B[k×n], A and B read through any strides (transposed,
 * sliced and broadcast operands need no copy first), C contiguous with row stride n.
 *
 * Large products are cache-blocked in the Goto/BLIS way: a KC×NC panel of B and an MC×KC block of
 * A are packed into contiguous scratch buffers (zero-padded to whole 4×4 tiles), and a micro-kernel
 * keeps a 4×4 tile of C in 16 local variables while it streams through k. Small products, and
 * those with fewer than 4 rows or columns (matrix–vector), use a plain i-p-j loop instead, where
 * packing would cost more than it saves.
 */
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 512;
const SMALL = 32 * 32 * 32;

/** Packing buffers, reused between calls (one pair per element type) and grown on demand. */
const scratch = new Map<Function, { a: TA; b: TA }>();

function packBuffers(like: TA, aLen: number, bLen: number): { a: TA; b: TA } {
  const ctor = like.constructor as new (n: number) => TA;
  let s = scratch.get(ctor);
  if (!s || s.a.length < aLen || s.b.length < bLen) {
    s = { a: new ctor(Math.max(aLen, s?.a.length ?? 0)), b: new ctor(Math.max(bLen, s?.b.length ?? 0)) };
    scratch.set(ctor, s);
  }
  return s;
}

export interface GemmOperand {
  buf: TA;
  off: number;
  /** Stride between rows. */
  rs: number;
  /** Stride between columns. */
  cs: number;
}

export function gemm(
  a: GemmOperand,
  b: GemmOperand,
  c: TA,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m < MR || n < NR || m * n * k <= SMALL) return gemmSmall(a, b, c, cOff, m, n, k);
  const kcMax = Math.min(KC, k);
  const ncMax = Math.min(NC, roundUp(n, NR));
  const mcMax = Math.min(MC, roundUp(m, MR));
  const { a: ap, b: bp } = packBuffers(c, mcMax * kcMax, kcMax * ncMax);
  const tile = new Float64Array(MR * NR);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, kc, jc, nc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const ci = cOff + (ic + ir) * n + jc + jr;
            if (mr === MR && nr === NR) micro(ap, ir * kc, bp, jr * kc, kc, c, ci, n);
            else {
              // Edge tile: compute the full 4×4 into a scratch tile, keep the valid part.
              tile.fill(0);
              micro(ap, ir * kc, bp, jr * kc, kc, tile, 0, NR);
              for (let i = 0; i < mr; i++)
                for (let j = 0; j < nr; j++) c[ci + i * n + j] = c[ci + i * n + j]! + tile[i * NR + j]!;
            }
          }
        }
      }
    }
  }
}

const roundUp = (v: number, to: number) => Math.ceil(v / to) * to;

/** Packs rows ic..ic+mc, columns pc..pc+kc of A as MR-row panels, each k-major, zero-padded. */
function packA(a: GemmOperand, ic: number, mc: number, pc: number, kc: number, ap: TA): void {
  const { buf, off, rs, cs } = a;
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = Math.min(MR, mc - i);
    const base = off + (ic + i) * rs + pc * cs;
    if (rows === MR) {
      const r0 = base;
      const r1 = r0 + rs;
      const r2 = r1 + rs;
      const r3 = r2 + rs;
      for (let p = 0, o = 0; p < kc; p++, o += cs) {
        ap[q++] = buf[r0 + o]!;
        ap[q++] = buf[r1 + o]!;
        ap[q++] = buf[r2 + o]!;
        ap[q++] = buf[r3 + o]!;
      }
    } else {
      for (let p = 0; p < kc; p++)
        for (let ii = 0; ii < MR; ii++) ap[q++] = ii < rows ? buf[base + ii * rs + p * cs]! : 0;
    }
  }
}

/** Packs rows pc..pc+kc, columns jc..jc+nc of B as NR-column panels, each k-major, zero-padded. */
function packB(b: GemmOperand, pc: number, kc: number, jc: number, nc: number, bp: TA): void {
  const { buf, off, rs, cs } = b;
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = Math.min(NR, nc - j);
    const base = off + pc * rs + (jc + j) * cs;
    if (cols === NR) {
      for (let p = 0, o = base; p < kc; p++, o += rs) {
        bp[q++] = buf[o]!;
        bp[q++] = buf[o + cs]!;
        bp[q++] = buf[o + 2 * cs]!;
        bp[q++] = buf[o + 3 * cs]!;
      }
    } else {
      for (let p = 0, o = base; p < kc; p++, o += rs)
        for (let jj = 0; jj < NR; jj++) bp[q++] = jj < cols ? buf[o + jj * cs]! : 0;
    }
  }
}

/** C[4×4 at ci, row stride ldc] += Ap panel · Bp panel over kc steps, accumulating in registers. */
// prettier-ignore
function micro(ap: TA, ai: number, bp: TA, bi: number, kc: number, c: TA | Float64Array, ci: number, ldc: number) {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, ai += MR, bi += NR) {
    const a0 = ap[ai]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  c[ci] = c[ci]! + c00; c[ci + 1] = c[ci + 1]! + c01; c[ci + 2] = c[ci + 2]! + c02; c[ci + 3] = c[ci + 3]! + c03;
  ci += ldc;
  c[ci] = c[ci]! + c10; c[ci + 1] = c[ci + 1]! + c11; c[ci + 2] = c[ci + 2]! + c12; c[ci + 3] = c[ci + 3]! + c13;
  ci += ldc;
  c[ci] = c[ci]! + c20; c[ci + 1] = c[ci + 1]! + c21; c[ci + 2] = c[ci + 2]! + c22; c[ci + 3] = c[ci + 3]! + c23;
  ci += ldc;
  c[ci] = c[ci]! + c30; c[ci + 1] = c[ci + 1]! + c31; c[ci + 2] = c[ci + 2]! + c32; c[ci + 3] = c[ci + 3]! + c33;
}

// The one place gemmSmall writes an output element (module level, so V8 inlines it; a closure did not).
function put(c: TA, o: number, s: number, alpha: number, f32: boolean): void {
  c[o] = c[o]! + alpha * (f32 ? Math.fround(s) : s);
}

/**
 * The plain loop for small products, as dot products: four outputs of a row at a time share each
 * load of A and accumulate in locals, so C is read and written once per element whatever the
 * strides (a transposed B, as in the input gradient, costs the same as a plain one). Each output is
 * one float64 sum in index order, rounded to C's dtype, then scaled by alpha and added to C.
 */
export function gemmSmall(
  a: GemmOperand,
  b: GemmOperand,
  c: TA,
  cOff: number,
  m: number,
  n: number,
  k: number,
  alpha = 1,
): void {
  const { buf: ab, off: ao, rs: ars, cs: acs } = a;
  const { buf: bb, off: bo, rs: brs, cs: bcs } = b;
  const f32 = c instanceof Float32Array;
  const n4 = n - (n & 3);
  for (let i = 0; i < m; i++) {
    const row = cOff + i * n;
    const ai = ao + i * ars;
    let j = 0;
    for (; j < n4; j += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0, pa = ai, pb = bo + j * bcs; p < k; p++, pa += acs, pb += brs) {
        const av = ab[pa]!;
        s0 += av * bb[pb]!;
        s1 += av * bb[pb + bcs]!;
        s2 += av * bb[pb + 2 * bcs]!;
        s3 += av * bb[pb + 3 * bcs]!;
      }
      put(c, row + j, s0, alpha, f32);
      put(c, row + j + 1, s1, alpha, f32);
      put(c, row + j + 2, s2, alpha, f32);
      put(c, row + j + 3, s3, alpha, f32);
    }
    for (; j < n; j++) {
      let s = 0;
      for (let p = 0, pa = ai, pb = bo + j * bcs; p < k; p++, pa += acs, pb += brs) s += ab[pa]! * bb[pb]!;
      put(c, row + j, s, alpha, f32);
    }
  }
}

/** Batched matmul over equal batch shapes (broadcast batches arrive as stride-0 views). */
export const matmulKernel: Kernel<"matmul"> = ([a, b], _p, out) => {
  const x = a!;
  const y = b!;
  const r = x.ndim;
  const m = x.shape[r - 2]!;
  const k = x.shape[r - 1]!;
  const n = y.shape[r - 1]!;
  const batchShape = out.shape.slice(0, r - 2);
  const batch = sizeOf(batchShape);
  const A: GemmOperand = { buf: x.buffer, off: 0, rs: x.strides[r - 2]!, cs: x.strides[r - 1]! };
  const B: GemmOperand = { buf: y.buffer, off: 0, rs: y.strides[r - 2]!, cs: y.strides[r - 1]! };
  for (let bi = 0; bi < batch; bi++) {
    // Offsets of this batch entry in each operand.
    let rem = bi;
    A.off = x.offset;
    B.off = y.offset;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const idx = rem % batchShape[d]!;
      rem = (rem - idx) / batchShape[d]!;
      A.off += idx * x.strides[d]!;
      B.off += idx * y.strides[d]!;
    }
    gemm(A, B, out.buffer, bi * m * n, m, n, k);
  }
};

export const matmulPrims: PrimitiveTable<"matmul"> = {
  matmul: {
    name: "matmul",
    vjp: (g, [a, b], _y, _p, needs) => [
      needs[0] ? matmul(g, mT(b!)) : null,
      needs[1] ? matmul(mT(a!), g) : null,
    ],
  },
};

/**
 * Matrix product with NumPy semantics: 1-D operands are promoted to a row/column and the added
 * axis removed again; leading (batch) axes broadcast.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: operands must be at least 1-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const x = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const y = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const k = x.shape[x.ndim - 1]!;
  if (y.shape[y.ndim - 2] !== k) {
    throw new ShapeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned: ${k} (last axis of the first) != ${y.shape[y.ndim - 2]} (${b.ndim === 1 ? "only" : "second-to-last"} axis of the second)`,
    );
  }
  // The op name carries both full shapes: the batch axes alone do not say which operand is which.
  const op = `matmul of ${fmtShape(a.shape)} and ${fmtShape(b.shape)}: batch axes`;
  const batch = broadcastShapes(op, x.shape.slice(0, -2), y.shape.slice(0, -2));
  const m = x.shape[x.ndim - 2]!;
  const n = y.shape[y.ndim - 1]!;
  const promoted = promote(a.dtype, b.dtype);
  // bool @ bool is "any(a and b)" (NumPy): count in int32, then compare with 0.
  const dtype = promoted === "bool" ? "int32" : promoted;
  const xb = broadcastTo(cast(x, dtype), [...batch, m, k]);
  const yb = broadcastTo(cast(y, dtype), [...batch, k, n]);
  let out = run(matmulPrims.matmul, [xb, yb], {}, [...batch, m, n], dtype);
  if (a.ndim === 1 || b.ndim === 1) {
    const shape = [...batch];
    if (a.ndim > 1) shape.push(m);
    if (b.ndim > 1) shape.push(n);
    out = reshape(out, shape);
  }
  return promoted === "bool" ? gt(out, 0) : out;
}

/**
 * Inner product of two vectors, matrix product of matrices (matmul for higher ranks), and the
 * elementwise product when either operand is 0-D, as NumPy's `dot` for those cases.
 */
const operand = (x: NDArray): GemmOperand => ({
  buf: x.buffer,
  off: x.offset,
  rs: x.strides[0]!,
  cs: x.strides[1]!,
});

/**
 * `out ← out + alpha·(a @ b)` in place, for small 2-D products: each element of a @ b is one float64 sum
 * in index order, rounded to out's dtype as `matmul` stores it, then scaled and added in float64 and
 * rounded once, so the result is bit-identical to `round(out + alpha·matmul(a, b))` wherever matmul
 * takes its plain loop (up to 32³ multiply-adds, or fewer than 4 rows or columns). a and b may be any views; out must be a contiguous
 * host array of their float dtype. Not recorded on a tape (fused optimizer steps use it: SGD's step
 * through a product is alpha = −lr).
 */
export function matmulAccumulate(out: NDArray, a: NDArray, b: NDArray, alpha = 1): void {
  const shapes = () => `out ${fmtShape(out.shape)}, a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}`;
  if (a.ndim !== 2 || b.ndim !== 2 || out.ndim !== 2)
    throw new ShapeError(`matmulAccumulate: out, a and b must be 2-D, got ${shapes()}`);
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  if (b.shape[0] !== k || out.shape[0] !== m || out.shape[1] !== n)
    throw new ShapeError(`matmulAccumulate: out must have the shape of a @ b, got ${shapes()}`);
  if (!isFloat(out.dtype) || a.dtype !== out.dtype || b.dtype !== out.dtype)
    throw new TypeError(
      `matmulAccumulate: out, a and b must share one float dtype, got ${out.dtype}, ${a.dtype}, ${b.dtype}`,
    );
  if (!out.isContiguous) throw new TypeError(`matmulAccumulate: out must be contiguous (${shapes()})`);
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  gemmSmall(operand(a), operand(b), out.buffer, out.offset, m, n, k, alpha);
}

export function dot(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) return mul(a, b);
  return matmul(a, b);
}

/** Outer product of two vectors. */
export function outer(a: NDArray, b: NDArray): NDArray {
  return matmul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
}
