import { isFloat } from "../dtype";
import { ShapeError, fmtShape } from "../errors";
import type { NDArray } from "../ndarray";
import { gemmSmall } from "./matmul";

// Built only for an error message: descendMatmul runs once per weight matrix per training step.
function shapes(theta: NDArray, a: NDArray, b: NDArray): string {
  return `θ ${fmtShape(theta.shape)}, a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}`;
}

/**
 * SGD's step through a matrix product, θ ← θ − lr·(a @ b), without materialising the gradient a @ b
 * (per-sample training's weight gradient xᵀ·δ is such a product; a traced graph uses this to fuse the
 * update into it). Each product element is rounded to θ's dtype before the step, so θ ends bit-identical
 * to `θ − lr·matmul(a, b)`. θ must own a contiguous buffer (a Variable does); a and b may be any views.
 * Not recorded on a tape. Meant for small products: the reference loop runs on the calling thread.
 */
export function descendMatmul(theta: NDArray, a: NDArray, b: NDArray, lr: number): void {
  if (a.ndim !== 2 || b.ndim !== 2 || theta.ndim !== 2) {
    throw new ShapeError(`descendMatmul: θ, a and b must be 2-D, got ${shapes(theta, a, b)}`);
  }
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  if (b.shape[0] !== k || theta.shape[0] !== m || theta.shape[1] !== n) {
    throw new ShapeError(`descendMatmul: θ must have the shape of a @ b, got ${shapes(theta, a, b)}`);
  }
  if (!isFloat(theta.dtype) || a.dtype !== theta.dtype || b.dtype !== theta.dtype) {
    throw new TypeError(
      `descendMatmul: θ, a and b must share one float dtype, got ${theta.dtype}, ${a.dtype}, ${b.dtype}`,
    );
  }
  if (!theta.isContiguous)
    throw new TypeError(`descendMatmul: θ must be contiguous (${shapes(theta, a, b)})`);
  if (!Number.isFinite(lr)) throw new RangeError(`descendMatmul: lr must be finite, got ${lr}`);
  if (lr === 0) return;
  gemmSmall(
    { buf: a.buffer, off: a.offset, rs: a.strides[0]!, cs: a.strides[1]! },
    { buf: b.buffer, off: b.offset, rs: b.strides[0]!, cs: b.strides[1]! },
    theta.buffer,
    theta.offset,
    m,
    n,
    k,
    lr,
  );
}
