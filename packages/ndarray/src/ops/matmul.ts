import { allocate, promote } from "../dtype";
import { run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { broadcastShapes, sizeOf } from "../shape";
import { cast } from "./cast";
import { copyInto, broadcastTo, mT, reshape } from "./views";

type TA = NDArray["buffer"];

// Cache blocks: a KB×NB panel of B (32 KiB in float32) stays in L1/L2 while every row of A streams past.
const KB = 128;
const NB = 64;

/** C[m×n] += A[m×k]·B[k×n]; A read through strides, B row-contiguous with row stride ldb. */
function gemm(
  a: TA,
  aOff: number,
  rsA: number,
  csA: number,
  b: TA,
  bOff: number,
  ldb: number,
  c: TA,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  for (let kk = 0; kk < k; kk += KB) {
    const kEnd = Math.min(k, kk + KB);
    for (let jj = 0; jj < n; jj += NB) {
      const jEnd = Math.min(n, jj + NB);
      for (let i = 0; i < m; i++) {
        const cRow = cOff + i * n;
        const aRow = aOff + i * rsA;
        let p = kk;
        // Two rows of B per pass halves the loads and stores of C.
        for (; p + 1 < kEnd; p += 2) {
          const a0 = a[aRow + p * csA]!;
          const a1 = a[aRow + (p + 1) * csA]!;
          const b0 = bOff + p * ldb;
          const b1 = b0 + ldb;
          for (let j = jj; j < jEnd; j++) c[cRow + j] = c[cRow + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]!;
        }
        if (p < kEnd) {
          const a0 = a[aRow + p * csA]!;
          const b0 = bOff + p * ldb;
          for (let j = jj; j < jEnd; j++) c[cRow + j] = c[cRow + j]! + a0 * b[b0 + j]!;
        }
      }
    }
  }
}

/** Batched matmul over equal batch shapes (broadcast batches arrive as stride-0 views). */
export const matmulKernel: Kernel<"matmul"> = ([a, b], _p, out) => {
  const x = a!;
  const y = b!;
  const r = x.ndim;
  const [m, k] = [x.shape[r - 2]!, x.shape[r - 1]!];
  const n = y.shape[r - 1]!;
  const batch = sizeOf(out.shape.slice(0, r - 2));
  const batchShape = out.shape.slice(0, r - 2);
  let packed: TA | undefined;
  for (let bi = 0; bi < batch; bi++) {
    // Offsets of this batch entry in each operand.
    let rem = bi;
    let xo = x.offset;
    let yo = y.offset;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const idx = rem % batchShape[d]!;
      rem = (rem - idx) / batchShape[d]!;
      xo += idx * x.strides[d]!;
      yo += idx * y.strides[d]!;
    }
    let bBuf = y.buffer;
    let bOff = yo;
    let ldb = y.strides[r - 2]!;
    if (y.strides[r - 1] !== 1 && n > 1) {
      // Pack B row-major once per batch entry so the inner loop runs over contiguous memory.
      packed ??= allocate(y.dtype, k * n);
      const view = new NDArray(y.buffer, [k, n], y.dtype, [y.strides[r - 2]!, y.strides[r - 1]!], yo);
      copyInto(view, packed, 0);
      bBuf = packed;
      bOff = 0;
      ldb = n;
    }
    gemm(
      x.buffer,
      xo,
      x.strides[r - 2]!,
      x.strides[r - 1]!,
      bBuf,
      bOff,
      ldb,
      out.buffer,
      bi * m * n,
      m,
      n,
      k,
    );
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
  const batch = broadcastShapes("matmul", x.shape.slice(0, -2), y.shape.slice(0, -2));
  const m = x.shape[x.ndim - 2]!;
  const n = y.shape[y.ndim - 1]!;
  const dtype = promote(a.dtype, b.dtype);
  const xb = broadcastTo(cast(x, dtype), [...batch, m, k]);
  const yb = broadcastTo(cast(y, dtype), [...batch, k, n]);
  const out = run(matmulPrims.matmul, [xb, yb], {}, [...batch, m, n], dtype);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  return reshape(out, shape);
}

/** Inner product of two vectors (or matmul for higher ranks). */
export function dot(a: NDArray, b: NDArray): NDArray {
  return matmul(a, b);
}

/** Outer product of two vectors. */
export function outer(a: NDArray, b: NDArray): NDArray {
  return matmul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
}
